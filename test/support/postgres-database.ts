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
  return { url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
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
