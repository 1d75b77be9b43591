import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../domain/errors.ts';
import { dropEmpty, isRecord, type SchemaShape } from '../../domain/normalize-input.ts';
import { parsePage } from '../../domain/pagination.ts';
import { PaginationQuery } from '../../schemas/common.ts';
import type { VpnService } from '../../service/vpn-service.ts';
import { actorOf, pathId, principalOf } from './request-helpers.ts';
import { errorResponses, operation } from './route-schema.ts';
import { presentChild, presentCollection, presentGateway, type PresentContext } from '../present.ts';
import type { GatewaySpec, ResourceSpec } from './vpn-resources.ts';

export interface VpnRouteDeps {
  vpn: VpnService;
  presentContext: (request: FastifyRequest) => PresentContext;
}

type Body = { id?: string; properties: unknown };

const errors = errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503);

function ensuredBody(request: FastifyRequest, id: string): unknown {
  const body = request.body as Body;
  if (body.id !== undefined && body.id.toLowerCase() !== id) {
    throw badRequest(`The body id ${body.id} does not match the path id ${id}.`, 'ID_MISMATCH');
  }
  return body.properties;
}

/** Empty means absent, and accepted variants become canonical, before the schema sees the body. */
function canonicalBody(spec: ResourceSpec) {
  return async (request: FastifyRequest) => {
    const raw = request.body;
    const schema = request.routeOptions.schema?.body as SchemaShape | undefined;
    if (!isRecord(raw)) {
      request.body = dropEmpty(raw, schema);
      return;
    }
    const body = (dropEmpty(raw, schema) ?? {}) as Record<string, unknown>;
    // An object left empty keeps its place, so that the schema names the missing field inside it.
    if (isRecord(raw.properties) && body.properties === undefined) body.properties = {};
    if (spec.canonicalProperties && 'properties' in body) body.properties = spec.canonicalProperties(body.properties);
    request.body = body;
  };
}

/** Every VPN route needs the accessAndManageVpn privilege (checked by the authentication hook). */
const vpnRoute = { config: { vpn: true } };

function routeSchema(spec: ResourceSpec, verb: string, extra: Record<string, unknown>) {
  return operation(`${spec.operationPrefix}${verb}`, spec.tag, extra);
}

/** The five operations on a gateway collection. */
export function registerGatewayRoutes(app: FastifyInstance, spec: GatewaySpec, deps: VpnRouteDeps) {
  const base = `/${spec.collection}`;
  const item = `${base}/:gatewayId`;
  const present = (request: FastifyRequest) => {
    const ctx = deps.presentContext(request);
    return (g: Parameters<typeof presentGateway>[3]) => presentGateway(ctx, spec.type, spec.collection, g);
  };
  const preValidation = canonicalBody(spec);

  app.get(base, { ...vpnRoute, schema: routeSchema(spec, 'Get', { querystring: PaginationQuery, response: { 200: spec.schemas.collection, ...errors } }) }, async (request) => {
    const page = parsePage(request.query as Record<string, unknown>);
    const listing = await deps.vpn.listGateways(principalOf(request), spec.kind, page);
    return presentCollection(deps.presentContext(request).baseUrl, spec.collection, page, listing, present(request));
  });

  app.post(base, { ...vpnRoute, preValidation, schema: routeSchema(spec, 'Post', { body: spec.schemas.create, response: { 201: spec.schemas.read, ...errors } }) }, async (request, reply) => {
    const created = await deps.vpn.createGateway(actorOf(request), spec.kind, (request.body as Body).properties);
    const body = present(request)(created);
    return reply.code(201).header('Location', body.href).send(body);
  });

  app.get(item, { ...vpnRoute, schema: routeSchema(spec, 'FindById', { response: { 200: spec.schemas.read, ...errors } }) }, async (request) =>
    present(request)(await deps.vpn.getGateway(principalOf(request), spec.kind, pathId(request, 'gatewayId'))));

  app.put(item, { ...vpnRoute, preValidation, schema: routeSchema(spec, 'Put', { body: spec.schemas.ensure, response: { 200: spec.schemas.read, ...errors } }) }, async (request) => {
    const id = pathId(request, 'gatewayId');
    const ensured = await deps.vpn.ensureGateway(actorOf(request), spec.kind, id, ensuredBody(request, id));
    return present(request)(ensured);
  });

  app.delete(item, { ...vpnRoute, schema: routeSchema(spec, 'Delete', { response: { 202: { type: 'null', description: 'Accepted.' }, ...errors } }) }, async (request, reply) => {
    await deps.vpn.deleteGateway(actorOf(request), spec.kind, pathId(request, 'gatewayId'));
    return reply.code(202).send();
  });
}

/** The five operations on a gateway's peers or tunnels. */
export function registerChildRoutes(app: FastifyInstance, spec: GatewaySpec, deps: VpnRouteDeps) {
  const child = spec.child;
  const base = `/${spec.collection}/:gatewayId/${child.segment}`;
  const item = `${base}/:${child.idParam}`;
  const collectionPath = (gatewayId: string) => `${spec.collection}/${gatewayId}/${child.segment}`;
  const presenter = (request: FastifyRequest, gatewayId: string) => {
    const ctx = deps.presentContext(request);
    return (view: { child: Parameters<typeof presentChild>[3]; gateway: Parameters<typeof presentChild>[4] }) =>
      presentChild(ctx, child.type, collectionPath(gatewayId), view.child, view.gateway);
  };
  const preValidation = canonicalBody(child);

  app.get(base, { ...vpnRoute, schema: routeSchema(child, 'Get', { querystring: PaginationQuery, response: { 200: child.schemas.collection, ...errors } }) }, async (request) => {
    const gatewayId = pathId(request, 'gatewayId');
    const page = parsePage(request.query as Record<string, unknown>);
    const { gateway, listing } = await deps.vpn.listChildren(principalOf(request), spec.kind, gatewayId, page);
    const present = presenter(request, gatewayId);
    return presentCollection(deps.presentContext(request).baseUrl, collectionPath(gatewayId), page, listing, (c) => present({ child: c, gateway }));
  });

  app.post(base, { ...vpnRoute, preValidation, schema: routeSchema(child, 'Post', { body: child.schemas.create, response: { 201: child.schemas.read, ...errors } }) }, async (request, reply) => {
    const gatewayId = pathId(request, 'gatewayId');
    const view = await deps.vpn.createChild(actorOf(request), spec.kind, gatewayId, (request.body as Body).properties);
    const body = presenter(request, gatewayId)(view);
    return reply.code(201).header('Location', body.href).send(body);
  });

  app.get(item, { ...vpnRoute, schema: routeSchema(child, 'FindById', { response: { 200: child.schemas.read, ...errors } }) }, async (request) => {
    const gatewayId = pathId(request, 'gatewayId');
    return presenter(request, gatewayId)(await deps.vpn.getChild(principalOf(request), spec.kind, gatewayId, pathId(request, child.idParam)));
  });

  app.put(item, { ...vpnRoute, preValidation, schema: routeSchema(child, 'Put', { body: child.schemas.ensure, response: { 200: child.schemas.read, ...errors } }) }, async (request) => {
    const gatewayId = pathId(request, 'gatewayId');
    const id = pathId(request, child.idParam);
    const view = await deps.vpn.ensureChild(actorOf(request), spec.kind, gatewayId, id, ensuredBody(request, id));
    return presenter(request, gatewayId)(view);
  });

  app.delete(item, { ...vpnRoute, schema: routeSchema(child, 'Delete', { response: { 202: { type: 'null', description: 'Accepted.' }, ...errors } }) }, async (request, reply) => {
    await deps.vpn.deleteChild(actorOf(request), spec.kind, pathId(request, 'gatewayId'), pathId(request, child.idParam));
    return reply.code(202).send();
  });
}
