import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database-schema.ts';
import { KyselyStore } from './kysely-store.ts';

/** Opens (creating and migrating when needed) the embedded SQLite store at path; ':memory:' for tests. */
export async function openSqliteStore(path: string): Promise<KyselyStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(path);
  // The database holds password hashes and encrypted secrets: readable by the service's user only.
  if (path !== ':memory:') chmodSync(path, 0o600);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const store = new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), { rowLocks: false });
  await store.migrate();
  return store;
}
