import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { describeStoreContract } from './store-contract.ts';

// Every engine runs the same contract; a PostgreSQL factory joins here when PG_URL is set.
describeStoreContract('SQLite in memory', () => openSqliteStore(':memory:'));

const dirs: string[] = [];
describeStoreContract('SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-store-'));
  dirs.push(dir);
  return openSqliteStore(join(dir, 'vpngw.sqlite'));
});
after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
