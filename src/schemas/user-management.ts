import { Type, type Static } from 'typebox';
import { Formats } from './formats.ts';
import { Uuid } from './common.ts';

/** The Cloud API v6 group privilege flags; accessAndManageVpn is the one the VPN API checks. */
export const GroupPrivilegeNames = [
  'createDataCenter', 'createSnapshot', 'reserveIp', 'accessActivityLog', 'createPcc', 's3Privilege', 'createBackupUnit',
  'createInternetAccess', 'createK8sCluster', 'createFlowLog', 'accessAndManageMonitoring', 'accessAndManageCertificates',
  'manageDBaaS', 'accessAndManageDns', 'manageRegistry', 'manageDataplatform', 'accessAndManageLogging', 'accessAndManageCdn',
  'accessAndManageVpn', 'accessAndManageApiGateway', 'accessAndManageKaas', 'accessAndManageNetworkFileStorage',
  'accessAndManageAiModelHub', 'accessAndManageIamResources', 'createNetworkSecurityGroup',
] as const;
export type GroupPrivilegeName = (typeof GroupPrivilegeNames)[number];

const privilegeFlags = Object.fromEntries(GroupPrivilegeNames.map((name) => [name, Type.Optional(Type.Boolean())])) as Record<
  GroupPrivilegeName, ReturnType<typeof Type.Optional<ReturnType<typeof Type.Boolean>>>
>;

const ResourceRef = (type: string) => Type.Object({ id: Type.String(), type: Type.Literal(type), href: Type.String() });
const RefCollection = (type: string) => Type.Object({
  id: Type.String(), type: Type.Literal('collection'), href: Type.String(), items: Type.Array(ResourceRef(type)),
});

const userNameFields = {
  firstname: Type.String({ maxLength: 255 }),
  lastname: Type.String({ maxLength: 255 }),
  email: Type.String({ format: Formats.email, maxLength: 254 }),
};

const Password = Type.String({ minLength: 8, maxLength: 1024, writeOnly: true, description: 'Write-only: stored as a hash, never returned.' });
const userWritableFields = {
  ...userNameFields,
  firstname: Type.Optional(userNameFields.firstname),
  lastname: Type.Optional(userNameFields.lastname),
  administrator: Type.Optional(Type.Boolean()),
  forceSecAuth: Type.Optional(Type.Boolean()),
  active: Type.Optional(Type.Boolean()),
};

export const UserCreate = Type.Object({ properties: Type.Object({ ...userWritableFields, password: Password }) });
export type UserCreateProperties = Static<typeof UserCreate>['properties'];

/** PUT replaces the user's properties; a missing password keeps the stored one. */
export const UserUpdate = Type.Object({ properties: Type.Object({ ...userWritableFields, password: Type.Optional(Password) }) });
export type UserUpdateProperties = Static<typeof UserUpdate>['properties'];

export const UserRead = Type.Object({
  id: Uuid,
  type: Type.Literal('user'),
  href: Type.String(),
  metadata: Type.Object({ etag: Type.String(), createdDate: Type.String(), lastModifiedDate: Type.String() }),
  properties: Type.Object({
    ...userNameFields,
    administrator: Type.Boolean(),
    forceSecAuth: Type.Boolean(),
    secAuthActive: Type.Boolean(),
    active: Type.Boolean(),
  }),
  entities: Type.Object({ groups: RefCollection('group') }),
});

export const GroupCreate = Type.Object({
  properties: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }), ...privilegeFlags }),
});
export type GroupCreateProperties = Static<typeof GroupCreate>['properties'];

export const GroupRead = Type.Object({
  id: Uuid,
  type: Type.Literal('group'),
  href: Type.String(),
  metadata: Type.Object({ etag: Type.String(), createdDate: Type.String(), lastModifiedDate: Type.String() }),
  properties: Type.Object({
    name: Type.String(),
    ...(Object.fromEntries(GroupPrivilegeNames.map((name) => [name, Type.Boolean()])) as Record<GroupPrivilegeName, ReturnType<typeof Type.Boolean>>),
  }),
  entities: Type.Object({ users: RefCollection('user') }),
});

const umCollection = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({
  id: Type.String(), type: Type.Literal('collection'), href: Type.String(), items: Type.Array(item),
  offset: Type.Integer(), limit: Type.Integer(),
  _links: Type.Object({ prev: Type.Optional(Type.String()), self: Type.String(), next: Type.Optional(Type.String()) }),
});
export const UserCollection = umCollection(UserRead);
export const GroupCollection = umCollection(GroupRead);

export const GroupMemberAdd = Type.Object({ id: Uuid });

export const TokenInfo = Type.Object({
  id: Uuid, href: Type.String(), createdDate: Type.String(), expirationDate: Type.String(),
});
export const TokenList = Type.Object({ tokens: Type.Array(TokenInfo) });
export const TokenRevocation = Type.Object({ success: Type.Boolean() });
export const TokenCriteria = Type.Object({ criteria: Type.Optional(Type.Enum(['ALL', 'EXPIRED', 'CURRENT'])) });

export const AuditRecordRead = Type.Object({
  id: Uuid,
  date: Type.String(),
  userId: Type.String(),
  userEmail: Type.String(),
  operation: Type.String({ description: 'Method and route, e.g. POST /wireguardgateways.' }),
  resourceId: Type.Optional(Type.String()),
  httpStatus: Type.Integer(),
  outcome: Type.Enum(['success', 'failure']),
  requestId: Type.String(),
  clientIp: Type.String(),
});
export const AuditCollection = umCollection(AuditRecordRead);
