import { sql, type Kysely } from 'kysely';
import { MIGRATION_NAMES } from './migrations.ts';

/** The table Kysely's migrator records applied migrations in. */
export const MIGRATION_TABLE = 'kysely_migration';

/** `0003-datacenters-and-lans` → 3: the number an operator and a gauge compare. */
export function schemaNumber(migration: string | undefined): number {
  return migration === undefined ? 0 : Number.parseInt(migration, 10) || 0;
}

/** The schema this build migrates a store to: its newest migration's name and number. */
export function buildSchemaVersion(): { name: string; number: number } {
  const name = MIGRATION_NAMES.at(-1) ?? '';
  return { name, number: schemaNumber(name) };
}

/** A store written by a newer vpngw: this build would misread it, so it refuses to start on it. */
export class NewerSchemaError extends Error {
  override readonly name = 'NewerSchemaError';
  constructor(readonly unknown: string[], newestKnown: string) {
    super(
      `the database was written by a newer vpngw: its schema has ${unknown.length === 1 ? 'migration' : 'migrations'} ${unknown.join(', ')}, `
      + `which this version does not know (its newest is ${newestKnown}). Run the newer version, or restore a backup made before the upgrade.`,
    );
  }
}

/** Refuses applied migrations this build does not know; an empty or older store passes. */
export function assertKnownSchema(applied: string[]): void {
  const unknown = applied.filter((name) => !MIGRATION_NAMES.includes(name)).sort();
  if (unknown.length > 0) throw new NewerSchemaError(unknown, MIGRATION_NAMES.at(-1) ?? 'none');
}

/** The migrations applied to a store, oldest first; none when it was never migrated. */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- any schema
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}
