import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database-schema.ts';
import { KyselyStore } from './kysely-store.ts';

/**
 * Opens (migrating when needed) the store in a PostgreSQL database, for running any number of API
 * servers against one database. Rows are locked per gateway, so limits hold across servers too.
 */
export async function openPostgresStore(url: string, poolSize = 10): Promise<KyselyStore> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const store = new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), { rowLocks: true });
  try {
    await store.migrate();
  } catch (error) {
    await store.close(); // a refused or failed migration must not leave the database open
    throw error;
  }
  return store;
}
