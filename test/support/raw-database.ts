import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

/** Runs SQL on a test service's database behind its back (a second connection), for faults the API cannot cause. */
export async function runOnDatabase(target: { dataDir: string; databaseUrl?: string }, sql: { sqlite: string; postgres: string }): Promise<void> {
  if (!target.databaseUrl) {
    const database = new SqliteDatabase(join(target.dataDir, 'vpngw.sqlite'));
    try {
      database.exec(sql.sqlite);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.databaseUrl });
  await client.connect();
  try {
    await client.query(sql.postgres);
  } finally {
    await client.end();
  }
}
