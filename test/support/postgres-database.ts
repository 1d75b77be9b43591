import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import { isCi } from './ci.ts';

/** PG_URL (set by .ci/run from scripts/start-test-postgres.sh) names a server where tests may create databases. */
export const PG_URL = process.env.PG_URL;

/**
 * Why PostgreSQL tests cannot run, or undefined when they can. Outside CI they skip saying so;
 * under CI a missing PG_URL fails the run instead of skipping silently.
 */
export function postgresUnavailable(): string | undefined {
  if (PG_URL) {
    if (!/^postgres(ql)?:\/\/\S+$/.test(PG_URL)) throw new Error('PG_URL is set but is not one postgres:// URL (did something else print to the stdout of scripts/start-test-postgres.sh?)');
    return undefined;
  }
  const reason = 'PG_URL is not set: the PostgreSQL runs of the store and API tests are skipped (scripts/start-test-postgres.sh prints one)';
  if (isCi()) throw new Error(`${reason}; CI must provide PostgreSQL`);
  process.stderr.write(`\n*** ${reason} ***\n\n`);
  return reason;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the PG_URL server; its URL, and a way to drop it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `vpngw_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_URL ?? '');
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => dropDatabase(c, name)) };
}

/**
 * Ends this role's sessions on the database, then drops it. Not WITH (FORCE): that also tries to end
 * an autovacuum worker busy there, which a role without pg_signal_backend may not; a plain DROP
 * makes autovacuum step aside. A session still closing is waited for, a few times.
 */
async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()', [name]);
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      // 55006: the database is being accessed by other users (a session not gone yet).
      if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A migrated store in a fresh database that is dropped when the store is closed. */
export async function openTestPostgresStore(): Promise<KyselyStore> {
  const database = await createTestDatabase();
  const store = await openPostgresStore(database.url, 4);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await database.drop();
  };
  return store;
}
