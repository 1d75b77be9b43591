import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database-schema.ts';
import { KyselyStore } from './kysely-store.ts';
import { WalGroupSync } from './wal-group-sync.ts';

/** Opens (creating and migrating when needed) the embedded SQLite store at path; ':memory:' for tests. */
export async function openSqliteStore(path: string): Promise<KyselyStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(path);
  // The database holds password hashes and encrypted secrets: readable by the service's user only.
  if (path !== ':memory:') chmodSync(path, 0o600);
  database.pragma('journal_mode = WAL');
  // NORMAL: SQLite does not sync at commit; WalGroupSync does, once for all commits that arrive together,
  // before any of them is acknowledged. (FULL would block the event loop on one fsync per commit.)
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const dialect = new SqliteDialect({ database: withStatementCache(database) });
  const commits = path === ':memory:' ? undefined : new WalGroupSync(`${path}-wal`);
  const store = new KyselyStore(new Kysely<Database>({ dialect }), { rowLocks: false }, commits);
  try {
    await store.migrate();
  } catch (error) {
    await store.close(); // a refused or failed migration must not leave the database open
    throw error;
  }
  return store;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing is most of a simple query's cost in better-sqlite3.
 * Statements are reusable, so keep the most recent ones by SQL text.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
      return (source: string) => {
        let statement = cache.get(source);
        if (!statement) {
          statement = prepare(source);
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}
