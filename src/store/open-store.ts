import { join } from 'node:path';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { KyselyStore } from './kysely-store.ts';

/** The configured store: PostgreSQL when a database URL is given, else SQLite in the data directory. */
export function openStore(config: { dataDir: string; databaseUrl?: string }): Promise<KyselyStore> {
  return config.databaseUrl ? openPostgresStore(config.databaseUrl) : openSqliteStore(join(config.dataDir, 'vpngw.sqlite'));
}
