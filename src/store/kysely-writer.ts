import type { Transaction } from 'kysely';
import type { Database } from './database-schema.ts';
import type { EngineCapabilities } from './kysely-store.ts';
import { replaceGateways, type PlacementOptions } from './fleet-placement.ts';
import { countOf, KyselyReader } from './kysely-reader.ts';
import { auditToRow, childToRow, datacenterFromRow, datacenterToRow, gatewayToRow, groupToRow, lanToRow, tokenToRow, userToRow } from './row-mapping.ts';
import {
  ConcurrentChange, IdTaken, type AuditRecord, type ChildKind, type ChildRecord, type Contract, type DatacenterRecord, type GatewayRecord,
  type GroupRecord, type LanRecord, type ResourceKind, type StoreWriter, type TokenRecord, type UserRecord,
} from './store.ts';

const FIRST_CONTRACT_NUMBER = 31000001;

// A duplicate key or a missing referenced row: PostgreSQL 23505 / 23503, and better-sqlite3's names.
const RACE_CODES = new Set(['23505', '23503', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_FOREIGNKEY']);

/** Runs a write, reporting a lost race with a concurrent writer as ConcurrentChange. */
async function raceChecked<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (RACE_CODES.has(String((error as { code?: unknown }).code ?? ''))) throw new ConcurrentChange();
    throw error;
  }
}

/** Writes inside one transaction. */
export class KyselyWriter extends KyselyReader implements StoreWriter {
  /** The gateways this transaction wrote: placed again (and logged for their hosts) when it ends. */
  private readonly changedGateways = new Set<string>();

  constructor(db: Transaction<Database>, private readonly capabilities: EngineCapabilities, private readonly placement: PlacementOptions) {
    super(db);
  }

  /**
   * Places the gateways this transaction wrote, as its last step: the fleet revision's row lock is
   * then taken after every other lock of the transaction, so it never waits in a cycle with a writer
   * that holds that lock (which only reads, and writes placements, after it).
   */
  async placeChangedGateways() {
    if (this.changedGateways.size > 0) await replaceGateways(this.db, { changed: [...this.changedGateways] }, this.placement);
  }

  async lockContract(number: number) {
    if (!this.capabilities.rowLocks) return;
    await this.db.selectFrom('contracts').select('number').where('number', '=', number).forUpdate().execute();
  }

  async lockGateway(id: string) {
    if (!this.capabilities.rowLocks) return;
    await this.db.selectFrom('gateways').select('id').where('id', '=', id).forUpdate().execute();
  }

  /**
   * Takes an id for a new gateway, peer or tunnel. ON CONFLICT waits for a concurrent writer of the
   * same id and then does nothing, so the holder read after it is the winner (on both engines).
   */
  private async claimId(id: string, contractNumber: number, kind: ResourceKind) {
    const claimed = await raceChecked(this.db.insertInto('resource_ids').values({ id, contract_number: contractNumber, kind })
      .onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst());
    if (claimed) return;
    const holder = await this.findIdHolder(id);
    if (!holder) throw new ConcurrentChange();
    throw new IdTaken(holder);
  }

  async insertGateway(record: GatewayRecord) {
    await this.claimId(record.id, record.contractNumber, record.kind);
    await raceChecked(this.db.insertInto('gateways').values(gatewayToRow(record)).execute());
    this.changedGateways.add(record.id);
  }

  async updateGateway(record: GatewayRecord) {
    const { id, ...row } = gatewayToRow(record);
    await this.db.updateTable('gateways').set(row).where('id', '=', id).execute();
    this.changedGateways.add(id);
  }

  async deleteGateway(id: string) {
    await this.db.deleteFrom('resource_ids')
      .where((eb) => eb.or([eb('id', '=', id), eb('id', 'in', eb.selectFrom('gateway_children').select('id').where('gateway_id', '=', id))]))
      .execute();
    await this.db.deleteFrom('gateway_children').where('gateway_id', '=', id).execute();
    await this.db.deleteFrom('gateways').where('id', '=', id).execute();
    this.changedGateways.add(id);
  }

  async insertChild(record: ChildRecord) {
    const gateway = await this.db.selectFrom('gateways').select('contract_number').where('id', '=', record.gatewayId).executeTakeFirst();
    if (!gateway) throw new ConcurrentChange();
    await this.claimId(record.id, Number(gateway.contract_number), record.kind);
    await raceChecked(this.db.insertInto('gateway_children').values(childToRow(record)).execute());
  }

  async updateChild(record: ChildRecord) {
    const { id, ...row } = childToRow(record);
    await this.db.updateTable('gateway_children').set(row).where('id', '=', id).execute();
  }

  async deleteChild(id: string) {
    await this.db.deleteFrom('resource_ids').where('id', '=', id).execute();
    await this.db.deleteFrom('gateway_children').where('id', '=', id).execute();
  }

  async countChildren(gatewayId: string, kind: ChildKind) {
    return countOf(this.db.selectFrom('gateway_children').where('gateway_id', '=', gatewayId).where('kind', '=', kind));
  }

  async insertContract(contract: Contract) {
    await raceChecked(this.db.insertInto('contracts').values({ number: contract.number, created_date: contract.createdDate }).execute());
  }

  async nextContractNumber() {
    const row = await this.db.selectFrom('contracts').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
    const highest = row?.n == null ? 0 : Number(row.n);
    return Math.max(FIRST_CONTRACT_NUMBER, highest + 1);
  }

  async insertUser(user: UserRecord) {
    await raceChecked(this.db.insertInto('users').values(userToRow({ ...user, email: user.email.toLowerCase() })).execute());
  }

  async insertToken(token: TokenRecord) {
    await this.db.insertInto('tokens').values(tokenToRow(token)).execute();
  }

  async deleteTokens(userId: string, which: { ids?: string[]; expiredBefore?: string }) {
    let query = this.db.deleteFrom('tokens').where('user_id', '=', userId);
    if (which.ids) query = which.ids.length ? query.where('id', 'in', which.ids) : query.where('id', '=', '');
    if (which.expiredBefore) query = query.where('expiration_date', '<=', which.expiredBefore);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteUser(id: string) {
    await this.db.deleteFrom('group_members').where('user_id', '=', id).execute();
    await this.db.deleteFrom('tokens').where('user_id', '=', id).execute();
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }

  async updateUser(user: UserRecord) {
    const { id, ...row } = userToRow({ ...user, email: user.email.toLowerCase() });
    await raceChecked(this.db.updateTable('users').set(row).where('id', '=', id).execute());
  }

  async updateGroup(group: GroupRecord) {
    const { id, ...row } = groupToRow(group);
    await this.db.updateTable('groups').set(row).where('id', '=', id).execute();
  }

  async insertGroup(group: GroupRecord) {
    await this.db.insertInto('groups').values(groupToRow(group)).execute();
  }

  async deleteGroup(id: string) {
    await this.db.deleteFrom('group_members').where('group_id', '=', id).execute();
    await this.db.deleteFrom('groups').where('id', '=', id).execute();
  }

  async addGroupMember(groupId: string, userId: string) {
    await raceChecked(this.db.insertInto('group_members').values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing()).execute());
  }

  async removeGroupMember(groupId: string, userId: string) {
    const result = await this.db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async insertAuditRecord(record: AuditRecord) {
    await this.db.insertInto('audit_records').values(auditToRow(record)).execute();
  }

  async insertDatacenter(record: DatacenterRecord) {
    await raceChecked(this.db.insertInto('datacenters').values(datacenterToRow(record)).execute());
  }

  async claimDatacenter(record: DatacenterRecord) {
    // ON CONFLICT waits for a concurrent inserter and then does nothing, so the read that follows
    // sees the winner: both engines end with exactly one owner.
    await raceChecked(this.db.insertInto('datacenters').values(datacenterToRow(record))
      .onConflict((oc) => oc.column('id').doNothing()).execute());
    const row = await this.db.selectFrom('datacenters').selectAll().where('id', '=', record.id.toLowerCase()).executeTakeFirstOrThrow();
    return datacenterFromRow(row);
  }

  async updateDatacenter(record: DatacenterRecord) {
    const { id, ...row } = datacenterToRow(record);
    await this.db.updateTable('datacenters').set(row).where('id', '=', id).execute();
  }

  async insertLanIfAbsent(record: LanRecord) {
    await raceChecked(this.db.insertInto('lans').values(lanToRow(record))
      .onConflict((oc) => oc.columns(['datacenter_id', 'lan_id']).doNothing()).execute());
  }

  async upsertLan(record: LanRecord) {
    const row = lanToRow(record);
    await raceChecked(this.db.insertInto('lans').values(row)
      .onConflict((oc) => oc.columns(['datacenter_id', 'lan_id'])
        .doUpdateSet({ name: row.name, host_interface: row.host_interface, last_modified_date: row.last_modified_date }))
      .execute());
  }

  async updateLan(record: LanRecord) {
    const { datacenter_id, lan_id, ...row } = lanToRow(record);
    await this.db.updateTable('lans').set(row).where('datacenter_id', '=', datacenter_id).where('lan_id', '=', lan_id).execute();
  }
}
