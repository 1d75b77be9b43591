import type { Selectable } from 'kysely';
import type { GatewayKind } from '../domain/desired-state.ts';
import type { ResourceStatus } from '../schemas/common.ts';
import type {
  AuditRecordsTable, DatacentersTable, GatewayChildrenTable, GatewaysTable, GroupsTable, LansTable, StampColumns, TokensTable, UsersTable,
} from './database-schema.ts';
import type {
  AuditRecord, ChildKind, ChildRecord, DatacenterRecord, GatewayRecord, GroupRecord, LanRecord, Stamp, TokenRecord, UserRecord,
} from './store.ts';

// pg returns bigint/numeric as strings and SQLite has no boolean: convert explicitly, both ways.
const toNumber = (v: unknown) => Number(v);
const toBoolean = (v: unknown) => Number(v) === 1;
const fromBoolean = (v: boolean) => (v ? 1 : 0);

function stampsFromRow(row: StampColumns): { created: Stamp; modified: Stamp } {
  return {
    created: { date: row.created_date, by: row.created_by, byUserId: row.created_by_user_id },
    modified: { date: row.last_modified_date, by: row.last_modified_by, byUserId: row.last_modified_by_user_id },
  };
}

function stampsToRow(r: { created: Stamp; modified: Stamp }): StampColumns {
  return {
    created_date: r.created.date,
    created_by: r.created.by,
    created_by_user_id: r.created.byUserId,
    last_modified_date: r.modified.date,
    last_modified_by: r.modified.by,
    last_modified_by_user_id: r.modified.byUserId,
  };
}

export function gatewayFromRow(row: Selectable<GatewaysTable>): GatewayRecord {
  return {
    id: row.id,
    contractNumber: toNumber(row.contract_number),
    kind: row.kind as GatewayKind,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    secret: row.secret,
    publicKey: row.public_key,
    status: row.status as ResourceStatus,
    statusMessage: row.status_message,
    generation: toNumber(row.generation),
    appliedGeneration: toNumber(row.applied_generation),
    deleting: toBoolean(row.deleting),
    ...stampsFromRow(row),
  };
}

export function gatewayToRow(r: GatewayRecord): GatewaysTable {
  return {
    id: r.id,
    contract_number: r.contractNumber,
    kind: r.kind,
    properties: JSON.stringify(r.properties),
    secret: r.secret,
    public_key: r.publicKey,
    status: r.status,
    status_message: r.statusMessage,
    generation: r.generation,
    applied_generation: r.appliedGeneration,
    deleting: fromBoolean(r.deleting),
    ...stampsToRow(r),
  };
}

export function childFromRow(row: Selectable<GatewayChildrenTable>): ChildRecord {
  return {
    id: row.id,
    gatewayId: row.gateway_id,
    kind: row.kind as ChildKind,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    secret: row.secret,
    uniqueKey: row.unique_key,
    generation: toNumber(row.generation),
    ...stampsFromRow(row),
  };
}

export function childToRow(r: ChildRecord): GatewayChildrenTable {
  return {
    id: r.id,
    gateway_id: r.gatewayId,
    kind: r.kind,
    properties: JSON.stringify(r.properties),
    secret: r.secret,
    unique_key: r.uniqueKey,
    generation: r.generation,
    ...stampsToRow(r),
  };
}

export function userFromRow(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    contractNumber: toNumber(row.contract_number),
    email: row.email,
    passwordHash: row.password_hash,
    firstname: row.firstname,
    lastname: row.lastname,
    administrator: toBoolean(row.administrator),
    active: toBoolean(row.active),
    createdDate: row.created_date,
    lastModifiedDate: row.last_modified_date,
  };
}

export function userToRow(u: UserRecord): UsersTable {
  return {
    id: u.id,
    contract_number: u.contractNumber,
    email: u.email,
    password_hash: u.passwordHash,
    firstname: u.firstname,
    lastname: u.lastname,
    administrator: fromBoolean(u.administrator),
    active: fromBoolean(u.active),
    created_date: u.createdDate,
    last_modified_date: u.lastModifiedDate,
  };
}

export function tokenFromRow(row: Selectable<TokensTable>): TokenRecord {
  return { id: row.id, userId: row.user_id, createdDate: row.created_date, expirationDate: row.expiration_date };
}

export function tokenToRow(t: TokenRecord): TokensTable {
  return { id: t.id, user_id: t.userId, created_date: t.createdDate, expiration_date: t.expirationDate };
}

export function groupFromRow(row: Selectable<GroupsTable>): GroupRecord {
  return {
    id: row.id,
    contractNumber: toNumber(row.contract_number),
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    accessAndManageVpn: toBoolean(row.access_and_manage_vpn),
    createdDate: row.created_date,
    lastModifiedDate: row.last_modified_date,
  };
}

export function groupToRow(g: GroupRecord): GroupsTable {
  return {
    id: g.id,
    contract_number: g.contractNumber,
    properties: JSON.stringify(g.properties),
    access_and_manage_vpn: fromBoolean(g.accessAndManageVpn),
    created_date: g.createdDate,
    last_modified_date: g.lastModifiedDate,
  };
}

export function auditFromRow(row: Selectable<AuditRecordsTable>): AuditRecord {
  return {
    id: row.id,
    contractNumber: toNumber(row.contract_number),
    userId: row.user_id,
    userEmail: row.user_email,
    operation: row.operation,
    resourceId: row.resource_id,
    httpStatus: toNumber(row.http_status),
    outcome: row.outcome as AuditRecord['outcome'],
    requestId: row.request_id,
    clientIp: row.client_ip,
    date: row.date,
  };
}

export function auditToRow(a: AuditRecord): AuditRecordsTable {
  return {
    id: a.id,
    contract_number: a.contractNumber,
    user_id: a.userId,
    user_email: a.userEmail,
    operation: a.operation,
    resource_id: a.resourceId,
    http_status: a.httpStatus,
    outcome: a.outcome,
    request_id: a.requestId,
    client_ip: a.clientIp,
    date: a.date,
  };
}

export function datacenterFromRow(row: Selectable<DatacentersTable>): DatacenterRecord {
  return {
    id: row.id,
    contractNumber: toNumber(row.contract_number),
    name: row.name,
    location: row.location,
    declared: toBoolean(row.declared),
    createdDate: row.created_date,
    lastModifiedDate: row.last_modified_date,
  };
}

export function datacenterToRow(d: DatacenterRecord): DatacentersTable {
  return {
    id: d.id.toLowerCase(),
    contract_number: d.contractNumber,
    name: d.name,
    location: d.location,
    declared: fromBoolean(d.declared),
    created_date: d.createdDate,
    last_modified_date: d.lastModifiedDate,
  };
}

export function lanFromRow(row: Selectable<LansTable>): LanRecord {
  return {
    datacenterId: row.datacenter_id,
    lanId: row.lan_id,
    name: row.name,
    hostInterface: row.host_interface,
    createdDate: row.created_date,
    lastModifiedDate: row.last_modified_date,
  };
}

export function lanToRow(l: LanRecord): LansTable {
  return {
    datacenter_id: l.datacenterId.toLowerCase(),
    lan_id: l.lanId,
    name: l.name,
    host_interface: l.hostInterface,
    created_date: l.createdDate,
    last_modified_date: l.lastModifiedDate,
  };
}
