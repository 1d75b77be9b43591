import { sql, type SelectQueryBuilder, type Kysely, type Transaction } from 'kysely';
import type { GatewayKind } from '../domain/desired-state.ts';
import type { Page } from '../domain/pagination.ts';
import type { Database } from './database-schema.ts';
import {
  auditFromRow, childFromRow, datacenterFromRow, gatewayFromRow, groupFromRow, lanFromRow, tokenFromRow, userFromRow,
} from './row-mapping.ts';
import type {
  AuditRecord, ChildKind, ChildRecord, Contract, DatacenterRecord, GatewayRecord, GroupRecord, IdHolder, LanRecord, Listing, ResourceKind,
  StoreReader, TokenRecord, UserRecord,
} from './store.ts';

export type Executor = Kysely<Database> | Transaction<Database>;

/** The number of rows a query's FROM/WHERE selects (pg answers counts as strings). */
export async function countOf<T extends keyof Database>(scope: SelectQueryBuilder<Database, T, object>): Promise<number> {
  const row = await scope.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** LAN ids are strings of digits: shorter first, then by text, is numeric order (2 before 10). */
const lanIdOrder = sql`length(lan_id)`;

/** Reads through a Kysely connection or transaction. */
export class KyselyReader implements StoreReader {
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
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(gatewayFromRow), total };
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

  async findIdHolder(id: string): Promise<IdHolder | undefined> {
    const row = await this.db.selectFrom('resource_ids').select(['contract_number', 'kind']).where('id', '=', id).executeTakeFirst();
    return row && { contractNumber: Number(row.contract_number), kind: row.kind as ResourceKind };
  }

  async listChildren(gatewayId: string, kind: ChildKind, page: Page): Promise<Listing<ChildRecord>> {
    const scope = this.db.selectFrom('gateway_children').where('gateway_id', '=', gatewayId).where('kind', '=', kind);
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(childFromRow), total };
  }

  async listAllChildren(gatewayId: string) {
    const rows = await this.db.selectFrom('gateway_children').selectAll()
      .where('gateway_id', '=', gatewayId).orderBy('created_date').orderBy('id').execute();
    return rows.map(childFromRow);
  }

  async listAllChildGenerations() {
    const rows = await this.db.selectFrom('gateway_children').select(['gateway_id', 'kind', 'generation']).execute();
    return rows.map((r) => ({ gatewayId: r.gateway_id, kind: r.kind as ChildKind, generation: Number(r.generation) }));
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
    return countOf(this.db.selectFrom('users'));
  }

  async findContract(number: number): Promise<Contract | undefined> {
    const row = await this.db.selectFrom('contracts').selectAll().where('number', '=', number).executeTakeFirst();
    return row && { number: Number(row.number), createdDate: row.created_date };
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && tokenFromRow(row);
  }

  async listTokens(userId: string) {
    const rows = await this.db.selectFrom('tokens').selectAll().where('user_id', '=', userId).orderBy('created_date').orderBy('id').execute();
    return rows.map(tokenFromRow);
  }

  async listUsers(contractNumber: number, page: Page): Promise<Listing<UserRecord>> {
    const scope = this.db.selectFrom('users').where('contract_number', '=', contractNumber);
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(userFromRow), total };
  }

  async listGroups(contractNumber: number, page: Page): Promise<Listing<GroupRecord>> {
    const scope = this.db.selectFrom('groups').where('contract_number', '=', contractNumber);
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(groupFromRow), total };
  }

  async findGroup(contractNumber: number, id: string) {
    const row = await this.db.selectFrom('groups').selectAll().where('id', '=', id).where('contract_number', '=', contractNumber).executeTakeFirst();
    return row && groupFromRow(row);
  }

  async listGroupMembers(groupId: string) {
    const rows = await this.db.selectFrom('users').innerJoin('group_members', 'group_members.user_id', 'users.id')
      .selectAll('users').where('group_members.group_id', '=', groupId).orderBy('users.created_date').orderBy('users.id').execute();
    return rows.map(userFromRow);
  }

  async listUserGroups(userId: string) {
    const rows = await this.db.selectFrom('groups').innerJoin('group_members', 'group_members.group_id', 'groups.id')
      .selectAll('groups').where('group_members.user_id', '=', userId).orderBy('groups.created_date').orderBy('groups.id').execute();
    return rows.map(groupFromRow);
  }

  async hasVpnPrivilege(userId: string) {
    const row = await this.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select('groups.id').where('group_members.user_id', '=', userId).where('groups.access_and_manage_vpn', '=', 1)
      .limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async findDatacenter(id: string) {
    const row = await this.db.selectFrom('datacenters').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
    return row && datacenterFromRow(row);
  }

  async listDatacenters(contractNumber: number, page: Page): Promise<Listing<DatacenterRecord>> {
    const scope = this.db.selectFrom('datacenters').where('contract_number', '=', contractNumber);
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy('created_date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(datacenterFromRow), total };
  }

  async listAllDatacenters() {
    const rows = await this.db.selectFrom('datacenters').selectAll().orderBy('contract_number').orderBy('created_date').orderBy('id').execute();
    return rows.map(datacenterFromRow);
  }

  async findLan(datacenterId: string, lanId: string) {
    const row = await this.db.selectFrom('lans').selectAll()
      .where('datacenter_id', '=', datacenterId.toLowerCase()).where('lan_id', '=', lanId).executeTakeFirst();
    return row && lanFromRow(row);
  }

  async listLans(datacenterId: string, page: Page): Promise<Listing<LanRecord>> {
    const scope = this.db.selectFrom('lans').where('datacenter_id', '=', datacenterId.toLowerCase());
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy(lanIdOrder).orderBy('lan_id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(lanFromRow), total };
  }

  async listAllLans() {
    const rows = await this.db.selectFrom('lans').selectAll().orderBy('datacenter_id').orderBy(lanIdOrder).orderBy('lan_id').execute();
    return rows.map(lanFromRow);
  }

  async listLanBindings() {
    const rows = await this.db.selectFrom('lans').selectAll().where('host_interface', 'is not', null)
      .orderBy('datacenter_id').orderBy(lanIdOrder).orderBy('lan_id').execute();
    return rows.map(lanFromRow);
  }

  async listAuditRecords(contractNumber: number, page: Page): Promise<Listing<AuditRecord>> {
    const scope = this.db.selectFrom('audit_records').where('contract_number', '=', contractNumber);
    const [rows, total] = await Promise.all([
      scope.selectAll().orderBy('date').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      countOf(scope),
    ]);
    return { items: rows.map(auditFromRow), total };
  }
}
