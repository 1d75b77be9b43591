import { createHash } from 'node:crypto';
import type { AuditRecord, GroupRecord, TokenRecord, UserRecord } from '../store/store.ts';
import type { GroupView, UserView } from '../service/user-service.ts';

const UM = 'cloudapi/v6/um';
const etag = (...parts: string[]) => createHash('md5').update(parts.join('|')).digest('hex');

const userRef = (baseUrl: string, u: UserRecord) => ({ id: u.id, type: 'user' as const, href: `${baseUrl}/${UM}/users/${u.id}` });
const groupRef = (baseUrl: string, g: GroupRecord) => ({ id: g.id, type: 'group' as const, href: `${baseUrl}/${UM}/groups/${g.id}` });

/** A user in the Cloud API v6 shape; the password hash never leaves the store. */
export function presentUser(baseUrl: string, { user, groups }: UserView) {
  return {
    ...userRef(baseUrl, user),
    metadata: { etag: etag(user.id, user.lastModifiedDate), createdDate: user.createdDate, lastModifiedDate: user.lastModifiedDate },
    properties: {
      firstname: user.firstname, lastname: user.lastname, email: user.email, administrator: user.administrator,
      forceSecAuth: false, secAuthActive: false, active: user.active,
    },
    entities: {
      groups: { id: `${user.id}/groups`, type: 'collection' as const, href: `${baseUrl}/${UM}/users/${user.id}/groups`, items: groups.map((g) => groupRef(baseUrl, g)) },
    },
  };
}

export function presentGroup(baseUrl: string, { group, members }: GroupView) {
  return {
    ...groupRef(baseUrl, group),
    metadata: { etag: etag(group.id, group.lastModifiedDate), createdDate: group.createdDate, lastModifiedDate: group.lastModifiedDate },
    properties: group.properties,
    entities: {
      users: { id: `${group.id}/users`, type: 'collection' as const, href: `${baseUrl}/${UM}/groups/${group.id}/users`, items: members.map((u) => userRef(baseUrl, u)) },
    },
  };
}

export function presentToken(baseUrl: string, t: TokenRecord) {
  return { id: t.id, href: `${baseUrl}/auth/v1/tokens/${t.id}`, createdDate: t.createdDate, expirationDate: t.expirationDate };
}

export function presentAuditRecord(a: AuditRecord) {
  return {
    id: a.id, date: a.date, userId: a.userId, userEmail: a.userEmail, operation: a.operation, httpStatus: a.httpStatus,
    outcome: a.outcome, requestId: a.requestId, clientIp: a.clientIp,
    ...(a.resourceId ? { resourceId: a.resourceId } : {}),
  };
}
