import { Migrator, type Kysely, sql } from 'kysely';
import type { Database } from './database-schema.ts';
import type { HostStore } from './host-store.ts';
import { KyselyHostStore } from './kysely-host-store.ts';
import { KyselyLiveStateStore } from './kysely-live-state-store.ts';
import type { LiveStateStore } from './live-state-store.ts';
import type { PlacementOptions } from './fleet-placement.ts';
import { KyselyReader } from './kysely-reader.ts';
import { KyselyWriter } from './kysely-writer.ts';
import { migrationProvider } from './migrations.ts';
import { appliedMigrations, assertKnownSchema } from './schema-version.ts';
import { auditToRow } from './row-mapping.ts';
import type { AuditRecord, Store, StoreWriter } from './store.ts';
import type { CommitSync } from './wal-group-sync.ts';

/** What differs between the SQL engines, in one place. */
export interface EngineCapabilities {
  /** SELECT ... FOR UPDATE locks a row (PostgreSQL); SQLite serialises whole transactions instead. */
  rowLocks: boolean;
}

/** The store over any Kysely dialect; engine differences come in as capabilities. */
export class KyselyStore extends KyselyReader implements Store {
  /**
   * `commits`: where a commit is not yet on disk when it returns (SQLite with group commit), what makes
   * it so; a transaction resolves only after that, so nothing is acknowledged before it is durable.
   */
  /** The fleet's hosts, placements and change log: their own port, on the same database. */
  readonly hosts: HostStore;
  /** What the hosts' agents last observed of their gateways' sessions. */
  readonly liveStates: LiveStateStore;
  /** Set once at assembly, before the first write: see PlacementOptions. */
  readonly placement: PlacementOptions = { ownsUnplacedStatus: false };

  constructor(private readonly kysely: Kysely<Database>, private readonly capabilities: EngineCapabilities, private readonly commits?: CommitSync) {
    super(kysely);
    this.hosts = new KyselyHostStore(kysely, commits, this.placement);
    this.liveStates = new KyselyLiveStateStore(kysely, commits);
  }

  /** Brings the schema up to this build's; a store a newer build migrated is refused (NewerSchemaError). */
  async migrate() {
    assertKnownSchema(await appliedMigrations(this.kysely));
    const { error } = await new Migrator({ db: this.kysely, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  async transaction<T>(work: (tx: StoreWriter) => Promise<T>): Promise<T> {
    const result = await this.kysely.transaction().execute(async (trx) => {
      const writer = new KyselyWriter(trx, this.capabilities, this.placement);
      const value = await work(writer);
      await writer.placeChangedGateways();
      return value;
    });
    await this.commits?.durable();
    return result;
  }

  async recordApplyOutcome(id: string, generation: number, outcome: { status: 'AVAILABLE' | 'FAILED'; message: string | null }) {
    const result = await this.kysely.updateTable('gateways')
      .set({ status: outcome.status, status_message: outcome.message, applied_generation: generation })
      .where('id', '=', id).where('generation', '=', generation).where('deleting', '=', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async purgeDeletedGateway(id: string) {
    await this.transaction(async (tx) => {
      const gateway = await tx.findGatewayAnywhere(id);
      if (gateway?.deleting) await tx.deleteGateway(id);
    });
  }

  async insertAuditRecord(record: AuditRecord) {
    await this.kysely.insertInto('audit_records').values(auditToRow(record)).execute();
  }

  async deleteAuditRecordsBefore(date: string, limit: number) {
    const oldest = this.kysely.selectFrom('audit_records').select('id').where('date', '<', date).orderBy('date').limit(limit);
    const result = await this.kysely.deleteFrom('audit_records').where('id', 'in', oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async ping() {
    await sql`select 1`.execute(this.kysely);
  }

  async close() {
    await this.kysely.destroy();
    await this.commits?.close();
  }
}
