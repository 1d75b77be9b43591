import type { GatewayKind } from '../domain/desired-state.ts';
import type { ResourceStatus } from '../schemas/common.ts';
import type { Page } from '../domain/pagination.ts';

export type ChildKind = 'peer' | 'tunnel';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03', 'SQLITE_BUSY']);

/** Whether an error means the store cannot be reached right now (answer 503), rather than a bug. */
export function isStoreUnavailable(error: unknown): boolean {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  // PostgreSQL class 08: connection exceptions.
  return UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || /Connection terminated/i.test(String((error as Error)?.message));
}

/** A write lost a race: another writer created the same key, or removed a row it refers to, first. */
export class ConcurrentChange extends Error {
  override readonly name = 'ConcurrentChange';
  constructor() {
    super('A concurrent change got there first.');
  }
}

/** The kind of any gateway, peer or tunnel: ids are unique across all of them. */
export type ResourceKind = GatewayKind | ChildKind;

/** The gateway, peer or tunnel that holds an id: its contract and kind. */
export interface IdHolder {
  contractNumber: number;
  kind: ResourceKind;
}

/** An insert named an id that a gateway, peer or tunnel (of any contract) already holds. */
export class IdTaken extends Error {
  override readonly name = 'IdTaken';
  constructor(readonly holder: IdHolder) {
    super('The id is already held by another resource.');
  }
}

/** Who changed a resource and when (UTC, RFC 3339 ending in Z). */
export interface Stamp {
  date: string;
  by: string;
  byUserId: string;
}

export interface GatewayRecord {
  id: string;
  contractNumber: number;
  kind: GatewayKind;
  properties: Record<string, unknown>;
  /** The encrypted private key (WireGuard); null for IPSec. */
  secret: string | null;
  /** The WireGuard public key derived from the private key; null for IPSec. */
  publicKey: string | null;
  status: ResourceStatus;
  statusMessage: string | null;
  /** Raised by every change to the gateway or its children; the agent applies generations. */
  generation: number;
  appliedGeneration: number;
  deleting: boolean;
  created: Stamp;
  modified: Stamp;
}

export interface ChildRecord {
  id: string;
  gatewayId: string;
  kind: ChildKind;
  properties: Record<string, unknown>;
  /** The encrypted PSK (tunnels); null for peers. */
  secret: string | null;
  /** Unique per gateway when set: a peer's public key. */
  uniqueKey: string | null;
  /** The gateway generation that carries this child's last change. */
  generation: number;
  created: Stamp;
  modified: Stamp;
}

export interface Contract {
  number: number;
  createdDate: string;
}

export interface UserRecord {
  id: string;
  contractNumber: number;
  email: string;
  passwordHash: string;
  firstname: string;
  lastname: string;
  administrator: boolean;
  active: boolean;
  createdDate: string;
  lastModifiedDate: string;
}

export interface TokenRecord {
  id: string;
  userId: string;
  createdDate: string;
  expirationDate: string;
}

export interface GroupRecord {
  id: string;
  contractNumber: number;
  /** The Cloud API group properties: name and privilege flags. */
  properties: Record<string, unknown>;
  accessAndManageVpn: boolean;
  createdDate: string;
  lastModifiedDate: string;
}

export interface AuditRecord {
  id: string;
  contractNumber: number;
  userId: string;
  userEmail: string;
  /** The operation: method and route, e.g. `POST /wireguardgateways`. */
  operation: string;
  resourceId: string | null;
  httpStatus: number;
  outcome: 'success' | 'failure';
  requestId: string;
  clientIp: string;
  date: string;
}

/** A datacenter of one contract: declared by the operator, or claimed by the first gateway that named it. */
export interface DatacenterRecord {
  /** A UUID, lower-case. */
  id: string;
  contractNumber: number;
  name: string;
  /** Empty when not declared: the service's own location applies. */
  location: string;
  declared: boolean;
  createdDate: string;
  lastModifiedDate: string;
}

/** A LAN of a datacenter, and the gateway host's interface the operator bound it to (never shown to tenants). */
export interface LanRecord {
  datacenterId: string;
  /** A string of digits, as in the connections of a gateway. */
  lanId: string;
  name: string;
  hostInterface: string | null;
  createdDate: string;
  lastModifiedDate: string;
}

export interface Listing<T> {
  items: T[];
  total: number;
}

/** Reads of datacenters and their LANs. */
export interface DatacenterReader {
  /** The datacenter with this id (letter case ignored), whatever its contract. */
  findDatacenter(id: string): Promise<DatacenterRecord | undefined>;
  listDatacenters(contractNumber: number, page: Page): Promise<Listing<DatacenterRecord>>;
  /** Every contract's datacenters, for the operator. */
  listAllDatacenters(): Promise<DatacenterRecord[]>;
  findLan(datacenterId: string, lanId: string): Promise<LanRecord | undefined>;
  listLans(datacenterId: string, page: Page): Promise<Listing<LanRecord>>;
  /** Every LAN of every datacenter, for the operator. */
  listAllLans(): Promise<LanRecord[]>;
  /** Every LAN bound to a host interface, in one query: what the reconciler needs. */
  listLanBindings(): Promise<LanRecord[]>;
}

/** Writes of datacenters and their LANs. */
export interface DatacenterWriter {
  /** Inserts a new datacenter; one that exists already (a lost race) is ConcurrentChange. */
  insertDatacenter(record: DatacenterRecord): Promise<void>;
  /**
   * Inserts the datacenter unless one with its id exists (or is being inserted by a concurrent
   * writer, which is waited for); answers the datacenter as stored: this one, or the owner's.
   */
  claimDatacenter(record: DatacenterRecord): Promise<DatacenterRecord>;
  updateDatacenter(record: DatacenterRecord): Promise<void>;
  /** Inserts the LAN unless it exists; an existing one (and its binding) stays as it is. */
  insertLanIfAbsent(record: LanRecord): Promise<void>;
  /** Inserts the LAN, or replaces the name and binding of the existing one. */
  upsertLan(record: LanRecord): Promise<void>;
  updateLan(record: LanRecord): Promise<void>;
}

/** Reads, usable inside and outside a transaction. */
export interface StoreReader extends DatacenterReader {
  findGateway(contractNumber: number, kind: GatewayKind, id: string): Promise<GatewayRecord | undefined>;
  /** Any gateway with this id, whatever its contract or kind (ids are unique across all). */
  findGatewayAnywhere(id: string): Promise<GatewayRecord | undefined>;
  listGateways(contractNumber: number, kind: GatewayKind, page: Page): Promise<Listing<GatewayRecord>>;
  /** Every gateway of every contract, for the reconciler. */
  listAllGateways(): Promise<GatewayRecord[]>;
  /** The gateways with a change the data plane has not applied yet, deletions included. */
  listGatewaysWithPendingChanges(): Promise<GatewayRecord[]>;
  findChild(gatewayId: string, kind: ChildKind, id: string): Promise<ChildRecord | undefined>;
  findChildAnywhere(id: string): Promise<ChildRecord | undefined>;
  /** The gateway, peer or tunnel holding this id, whatever its contract or kind. */
  findIdHolder(id: string): Promise<IdHolder | undefined>;
  listChildren(gatewayId: string, kind: ChildKind, page: Page): Promise<Listing<ChildRecord>>;
  listAllChildren(gatewayId: string): Promise<ChildRecord[]>;
  /** Kind and generation of every peer and tunnel, in one query (for counting them by status). */
  listAllChildGenerations(): Promise<Array<{ gatewayId: string; kind: ChildKind; generation: number }>>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  countUsers(): Promise<number>;
  findContract(number: number): Promise<Contract | undefined>;
  findToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(userId: string): Promise<TokenRecord[]>;
  listUsers(contractNumber: number, page: Page): Promise<Listing<UserRecord>>;
  listGroups(contractNumber: number, page: Page): Promise<Listing<GroupRecord>>;
  findGroup(contractNumber: number, id: string): Promise<GroupRecord | undefined>;
  listGroupMembers(groupId: string): Promise<UserRecord[]>;
  listUserGroups(userId: string): Promise<GroupRecord[]>;
  /** Whether the user is in a group that has accessAndManageVpn. */
  hasVpnPrivilege(userId: string): Promise<boolean>;
  listAuditRecords(contractNumber: number, page: Page): Promise<Listing<AuditRecord>>;
}

/** Writes; only inside Store.transaction, so every multi-step change commits whole or not at all. */
export interface StoreWriter extends StoreReader, DatacenterWriter {
  /** Serialises writers on one gateway until the transaction ends (row lock where the engine has one). */
  lockGateway(id: string): Promise<void>;
  /** Serialises writers on one contract's users (for rules such as "keep one administrator"). */
  lockContract(number: number): Promise<void>;
  /** Inserts a gateway; its id held by any other gateway, peer or tunnel is IdTaken. */
  insertGateway(record: GatewayRecord): Promise<void>;
  updateGateway(record: GatewayRecord): Promise<void>;
  deleteGateway(id: string): Promise<void>;
  /** Inserts a peer or tunnel; its id held by any other gateway, peer or tunnel is IdTaken. */
  insertChild(record: ChildRecord): Promise<void>;
  updateChild(record: ChildRecord): Promise<void>;
  deleteChild(id: string): Promise<void>;
  countChildren(gatewayId: string, kind: ChildKind): Promise<number>;
  insertContract(contract: Contract): Promise<void>;
  nextContractNumber(): Promise<number>;
  insertUser(user: UserRecord): Promise<void>;
  insertToken(token: TokenRecord): Promise<void>;
  /** Deletes the user's tokens that match: all, the given ids, or those expired before a date. */
  deleteTokens(userId: string, which: { ids?: string[]; expiredBefore?: string }): Promise<number>;
  deleteUser(id: string): Promise<void>;
  updateUser(user: UserRecord): Promise<void>;
  updateGroup(group: GroupRecord): Promise<void>;
  insertGroup(group: GroupRecord): Promise<void>;
  deleteGroup(id: string): Promise<void>;
  addGroupMember(groupId: string, userId: string): Promise<void>;
  removeGroupMember(groupId: string, userId: string): Promise<boolean>;
  /** Records a change in the transaction that makes it, so that the two commit together or not at all. */
  insertAuditRecord(record: AuditRecord): Promise<void>;
}

/** The persistent state behind the API and the reconciler; one implementation per engine family. */
export interface Store extends StoreReader {
  transaction<T>(work: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /**
   * Records what the data plane did with a generation; ignored (false) when the gateway has moved
   * on to a newer generation or is being deleted meanwhile.
   */
  recordApplyOutcome(id: string, generation: number, outcome: { status: 'AVAILABLE' | 'FAILED'; message: string | null }): Promise<boolean>;
  /** Deletes a gateway the data plane has removed, only if it is still marked for deletion. */
  purgeDeletedGateway(id: string): Promise<void>;
  /** Records a refused request (no change was made, so there is no transaction to join). */
  insertAuditRecord(record: AuditRecord): Promise<void>;
  /** Deletes at most `limit` audit records dated before `date`, oldest first; answers how many. */
  deleteAuditRecordsBefore(date: string, limit: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
