import SqliteDatabase from 'better-sqlite3';
import { MIGRATION_TABLE } from './schema-version.ts';

/** The file of the embedded store in a data directory. */
export const SQLITE_FILE = 'vpngw.sqlite';

/**
 * Copies a live SQLite store with SQLite's backup API while other processes keep writing. All pages
 * go in one step, inside one read transaction: the copy is the database as of that moment (WAL lets
 * the writers go on meanwhile), and a write in between cannot make the backup start over and over.
 */
export async function backupSqliteDatabase(sourcePath: string, destinationPath: string): Promise<void> {
  const source = new SqliteDatabase(sourcePath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 10000');
    await source.backup(destinationPath, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
}

/** An encrypted secret as stored, with the id it is bound to. */
export interface StoredSecret {
  /** `gateway` (a WireGuard private key) or `peer`/`tunnel` (a PSK). */
  kind: string;
  id: string;
  secret: string;
}

/** What a restore checks in a store copy before putting it in place. */
export interface SqliteInspection {
  /** `ok`, or what SQLite's quick_check found. */
  integrity: string;
  /** The applied migrations, oldest first. */
  migrations: string[];
  gateways: number;
  children: number;
  /** Up to `sampleSize` secrets of gateways and as many of peers and tunnels, chosen at random. */
  secrets: StoredSecret[];
}

/** Reads a store copy that no server uses (a backup being restored); never migrates it. */
export function inspectSqliteDatabase(path: string, sampleSize: number): SqliteInspection {
  const db = new SqliteDatabase(path, { fileMustExist: true });
  try {
    const integrity = (db.pragma('quick_check', { simple: true }) as string | undefined) ?? 'no answer';
    if (integrity !== 'ok') return { integrity, migrations: [], gateways: 0, children: 0, secrets: [] };
    const hasTable = (name: string) => db.prepare('select 1 from sqlite_master where type = \'table\' and name = ?').get(name) !== undefined;
    const migrations = hasTable(MIGRATION_TABLE)
      ? (db.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as Array<{ name: string }>).map((r) => r.name) : [];
    const count = (table: string) => (hasTable(table) ? Number((db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n) : 0);
    const sample = (sql: string) => (db.prepare(sql).all(sampleSize) as StoredSecret[]);
    const secrets = [
      ...(hasTable('gateways') ? sample('select \'gateway\' as kind, id, secret from gateways where secret is not null order by random() limit ?') : []),
      ...(hasTable('gateway_children') ? sample('select kind, id, secret from gateway_children where secret is not null order by random() limit ?') : []),
    ];
    return { integrity, migrations, gateways: count('gateways'), children: count('gateway_children'), secrets };
  } finally {
    db.close();
  }
}
