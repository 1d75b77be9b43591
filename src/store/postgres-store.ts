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
  // An idle connection the server ends (a restart, a terminated backend) is an 'error' event on the
  // pool; without a listener Node would end the whole process. The pool drops that connection and
  // opens another on the next query, which reports the outage to its caller (503) if it persists.
  pool.on('error', () => undefined);
  // A connection that dies while a query holds it (the server stopped, the network cut) aborts that
  // query, which reports it, and is also an 'error' event on the client, which would end the
  // process; the pool discards that client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const store = new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), { rowLocks: true });
  try {
    await store.migrate();
  } catch (error) {
    await store.close(); // a refused or failed migration must not leave the database open
    throw error;
  }
  return store;
}
