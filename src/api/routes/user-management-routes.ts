import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parsePage } from '../../domain/pagination.ts';
import { PaginationQuery } from '../../schemas/common.ts';
import {
  GroupCollection, GroupCreate, GroupMemberAdd, GroupRead, UserCollection, UserCreate, UserRead, UserUpdate,
  type GroupCreateProperties, type UserCreateProperties, type UserUpdateProperties,
} from '../../schemas/user-management.ts';
import type { UserService } from '../../service/user-service.ts';
import { presentCollection } from '../present.ts';
import { presentGroup, presentUser } from '../present-identity.ts';
import { actorOf, dropEmptyBody, pathId, principalOf } from './request-helpers.ts';
import { errorResponses, operation } from './route-schema.ts';

const UM = '/cloudapi/v6/um';
const errors = errorResponses(400, 401, 403, 404, 409, 413, 415, 429);
const schema = (operationId: string, extra: Record<string, unknown>) => operation(operationId, 'User management', extra);

/** The subset of the Cloud API v6 user management that vpngw serves: users, groups, memberships. */
export function registerUserManagementRoutes(app: FastifyInstance, users: UserService, baseUrlOf: (r: FastifyRequest) => string) {
  const page = (request: FastifyRequest) => parsePage(request.query as Record<string, unknown>);

  app.get(`${UM}/users`, { schema: schema('umUsersGet', { querystring: PaginationQuery, response: { 200: UserCollection, ...errors } }) }, async (request) => {
    const p = page(request);
    const listing = await users.listUsers(principalOf(request), p);
    return presentCollection(baseUrlOf(request), 'cloudapi/v6/um/users', p, listing, (v) => presentUser(baseUrlOf(request), v));
  });
  app.post(`${UM}/users`, { preValidation: dropEmptyBody, schema: schema('umUsersPost', { body: UserCreate, response: { 202: UserRead, ...errors } }) }, async (request, reply) => {
    const created = presentUser(baseUrlOf(request), await users.createUser(actorOf(request), (request.body as { properties: UserCreateProperties }).properties));
    return reply.code(202).header('Location', created.href).send(created);
  });
  app.get(`${UM}/users/:userId`, { schema: schema('umUsersFindById', { response: { 200: UserRead, ...errors } }) }, async (request) =>
    presentUser(baseUrlOf(request), await users.getUser(principalOf(request), pathId(request, 'userId'))));
  app.put(`${UM}/users/:userId`, { preValidation: dropEmptyBody, schema: schema('umUsersPut', { body: UserUpdate, response: { 202: UserRead, ...errors } }) }, async (request, reply) => {
    const view = await users.updateUser(actorOf(request), pathId(request, 'userId'), (request.body as { properties: UserUpdateProperties }).properties);
    return reply.code(202).send(presentUser(baseUrlOf(request), view));
  });
  app.delete(`${UM}/users/:userId`, { schema: schema('umUsersDelete', { response: { 202: { type: 'null' }, ...errors } }) }, async (request, reply) => {
    await users.deleteUser(actorOf(request), pathId(request, 'userId'));
    return reply.code(202).send();
  });

  app.get(`${UM}/groups`, { schema: schema('umGroupsGet', { querystring: PaginationQuery, response: { 200: GroupCollection, ...errors } }) }, async (request) => {
    const p = page(request);
    const listing = await users.listGroups(principalOf(request), p);
    return presentCollection(baseUrlOf(request), 'cloudapi/v6/um/groups', p, listing, (v) => presentGroup(baseUrlOf(request), v));
  });
  app.post(`${UM}/groups`, { preValidation: dropEmptyBody, schema: schema('umGroupsPost', { body: GroupCreate, response: { 202: GroupRead, ...errors } }) }, async (request, reply) => {
    const created = presentGroup(baseUrlOf(request), await users.createGroup(actorOf(request), (request.body as { properties: GroupCreateProperties }).properties));
    return reply.code(202).header('Location', created.href).send(created);
  });
  app.get(`${UM}/groups/:groupId`, { schema: schema('umGroupsFindById', { response: { 200: GroupRead, ...errors } }) }, async (request) =>
    presentGroup(baseUrlOf(request), await users.getGroup(principalOf(request), pathId(request, 'groupId'))));
  app.put(`${UM}/groups/:groupId`, { preValidation: dropEmptyBody, schema: schema('umGroupsPut', { body: GroupCreate, response: { 202: GroupRead, ...errors } }) }, async (request, reply) => {
    const view = await users.updateGroup(actorOf(request), pathId(request, 'groupId'), (request.body as { properties: GroupCreateProperties }).properties);
    return reply.code(202).send(presentGroup(baseUrlOf(request), view));
  });
  app.delete(`${UM}/groups/:groupId`, { schema: schema('umGroupsDelete', { response: { 202: { type: 'null' }, ...errors } }) }, async (request, reply) => {
    await users.deleteGroup(actorOf(request), pathId(request, 'groupId'));
    return reply.code(202).send();
  });
  app.get(`${UM}/groups/:groupId/users`, { schema: schema('umGroupsUsersGet', { querystring: PaginationQuery, response: { 200: UserCollection, ...errors } }) }, async (request) => {
    const p = page(request);
    const groupId = pathId(request, 'groupId');
    const listing = await users.listMembers(principalOf(request), groupId, p);
    return presentCollection(baseUrlOf(request), `cloudapi/v6/um/groups/${groupId}/users`, p, listing, (v) => presentUser(baseUrlOf(request), v));
  });
  app.post(`${UM}/groups/:groupId/users`, { preValidation: dropEmptyBody, schema: schema('umGroupsUsersPost', { body: GroupMemberAdd, response: { 202: UserRead, ...errors } }) }, async (request, reply) => {
    const view = await users.addMember(actorOf(request), pathId(request, 'groupId'), (request.body as { id: string }).id.toLowerCase());
    return reply.code(202).send(presentUser(baseUrlOf(request), view));
  });
  app.delete(`${UM}/groups/:groupId/users/:userId`, { schema: schema('umGroupsUsersDelete', { response: { 202: { type: 'null' }, ...errors } }) }, async (request, reply) => {
    await users.removeMember(actorOf(request), pathId(request, 'groupId'), pathId(request, 'userId'));
    return reply.code(202).send();
  });
}
