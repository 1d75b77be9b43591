import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { describeStoreContract } from './store-contract.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres-database.ts';

// Every engine runs the same contract.
describeStoreContract('SQLite in memory', () => openSqliteStore(':memory:'));
if (!postgresUnavailable()) describeStoreContract('PostgreSQL', openTestPostgresStore);

const dirs: string[] = [];
describeStoreContract('SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-store-'));
  dirs.push(dir);
  return openSqliteStore(join(dir, 'vpngw.sqlite'));
});
after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
