import { Migrator, type Kysely, sql, type Transaction } from 'kysely';
import type { GatewayKind } from '../domain/desired-state.ts';
import type { Page } from '../domain/pagination.ts';
import type { Database } from './database-schema.ts';
import { migrationProvider } from './migrations.ts';
import {
  childFromRow, childToRow, gatewayFromRow, gatewayToRow, tokenFromRow, tokenToRow, userFromRow, userToRow,
} from './row-mapping.ts';
import type {
  ChildKind, ChildRecord, Contract, GatewayRecord, Listing, Store, StoreReader, StoreWriter, TokenRecord, UserRecord,
} from './store.ts';

/** What differs between the SQL engines, in one place. */
export interface EngineCapabilities {
  /** SELECT ... FOR UPDATE locks a row (PostgreSQL); SQLite serialises whole transactions instead. */
  rowLocks: boolean;
}

const FIRST_CONTRACT_NUMBER = 31000001;

type Executor = Kysely<Database> | Transaction<Database>;

class KyselyReader implements StoreReader {
  constructor(protected readonly db: Executor) {}

  async findGateway(contractNumber: number, kind: GatewayKind, id: string) {
    const row = await this.db.selectFrom('gateways').selectAll()
      .where('id', '=', id).where('contract_number', '=', contractNumber).where('kind', '=', kind)
      .executeTakeFirst();
    return row && gatewayFromRow(row);
  }

  async findGatewayAnywhere(id: string) {
    const row = await this.db.selectFrom('gateways').selectAll().where('id', '=', id).executeTakeFirst();
    return row && gatewayFromRow(row);
  }

  async listGateways(contractNumber: number, kind: GatewayKind, page: Page): Promise<Listing<GatewayRecord>> {
    const scope = this.db.selectFrom('gateways').where('contract_number', '=', contractNumber).where('kind', '=', kind);
    const [rows, count] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      scope.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(gatewayFromRow), total: Number(count.n) };
  }

  async listAllGateways() {
    const rows = await this.db.selectFrom('gateways').selectAll().orderBy('created_date').orderBy('id').execute();
    return rows.map(gatewayFromRow);
  }

  async listGatewaysWithPendingChanges() {
    const rows = await this.db.selectFrom('gateways').selectAll()
      .where((eb) => eb.or([eb('deleting', '=', 1), eb('applied_generation', '<>', eb.ref('generation'))]))
      .orderBy('created_date').orderBy('id').execute();
    return rows.map(gatewayFromRow);
  }

  async findChild(gatewayId: string, kind: ChildKind, id: string) {
    const row = await this.db.selectFrom('gateway_children').selectAll()
      .where('id', '=', id).where('gateway_id', '=', gatewayId).where('kind', '=', kind)
      .executeTakeFirst();
    return row && childFromRow(row);
  }

  async findChildAnywhere(id: string) {
    const row = await this.db.selectFrom('gateway_children').selectAll().where('id', '=', id).executeTakeFirst();
    return row && childFromRow(row);
  }

  async listChildren(gatewayId: string, kind: ChildKind, page: Page): Promise<Listing<ChildRecord>> {
    const scope = this.db.selectFrom('gateway_children').where('gateway_id', '=', gatewayId).where('kind', '=', kind);
    const [rows, count] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      scope.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(childFromRow), total: Number(count.n) };
  }

  async listAllChildren(gatewayId: string) {
    const rows = await this.db.selectFrom('gateway_children').selectAll()
      .where('gateway_id', '=', gatewayId).orderBy('created_date').orderBy('id').execute();
    return rows.map(childFromRow);
  }

  async findUserByEmail(email: string) {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row && userFromRow(row);
  }

  async findUserById(id: string) {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && userFromRow(row);
  }

  async countUsers() {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findContract(number: number): Promise<Contract | undefined> {
    const row = await this.db.selectFrom('contracts').selectAll().where('number', '=', number).executeTakeFirst();
    return row && { number: Number(row.number), createdDate: row.created_date };
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && tokenFromRow(row);
  }
}

class KyselyWriter extends KyselyReader implements StoreWriter {
  constructor(db: Transaction<Database>, private readonly capabilities: EngineCapabilities) {
    super(db);
  }

  async lockGateway(id: string) {
    if (!this.capabilities.rowLocks) return;
    await this.db.selectFrom('gateways').select('id').where('id', '=', id).forUpdate().execute();
  }

  async insertGateway(record: GatewayRecord) {
    await this.db.insertInto('gateways').values(gatewayToRow(record)).execute();
  }

  async updateGateway(record: GatewayRecord) {
    const { id, ...row } = gatewayToRow(record);
    await this.db.updateTable('gateways').set(row).where('id', '=', id).execute();
  }

  async deleteGateway(id: string) {
    await this.db.deleteFrom('gateway_children').where('gateway_id', '=', id).execute();
    await this.db.deleteFrom('gateways').where('id', '=', id).execute();
  }

  async insertChild(record: ChildRecord) {
    await this.db.insertInto('gateway_children').values(childToRow(record)).execute();
  }

  async updateChild(record: ChildRecord) {
    const { id, ...row } = childToRow(record);
    await this.db.updateTable('gateway_children').set(row).where('id', '=', id).execute();
  }

  async deleteChild(id: string) {
    await this.db.deleteFrom('gateway_children').where('id', '=', id).execute();
  }

  async countChildren(gatewayId: string, kind: ChildKind) {
    const row = await this.db.selectFrom('gateway_children')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('gateway_id', '=', gatewayId).where('kind', '=', kind).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertContract(contract: Contract) {
    await this.db.insertInto('contracts').values({ number: contract.number, created_date: contract.createdDate }).execute();
  }

  async nextContractNumber() {
    const row = await this.db.selectFrom('contracts').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
    const highest = row?.n == null ? 0 : Number(row.n);
    return Math.max(FIRST_CONTRACT_NUMBER, highest + 1);
  }

  async insertUser(user: UserRecord) {
    await this.db.insertInto('users').values(userToRow({ ...user, email: user.email.toLowerCase() })).execute();
  }

  async insertToken(token: TokenRecord) {
    await this.db.insertInto('tokens').values(tokenToRow(token)).execute();
  }
}

/** The store over any Kysely dialect; engine differences come in as capabilities. */
export class KyselyStore extends KyselyReader implements Store {
  constructor(private readonly kysely: Kysely<Database>, private readonly capabilities: EngineCapabilities) {
    super(kysely);
  }

  async migrate() {
    const { error } = await new Migrator({ db: this.kysely, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  transaction<T>(work: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.kysely.transaction().execute((trx) => work(new KyselyWriter(trx, this.capabilities)));
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

  async ping() {
    await sql`select 1`.execute(this.kysely);
  }

  async close() {
    await this.kysely.destroy();
  }
}
