import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../../domain/errors.ts';
import {
  DEFAULT_ENROLLMENT_TTL_SECONDS, DesiredQuery, DesiredResponse, EnrollmentTokenCreate, EnrollmentTokenCreated, EnrollRequest, EnrollResponse,
  HostCollection, HostRead, Inventory, InventoryAccepted, LiveStateRequest, LiveStateResponse, ReportRequest, ReportResponse, UnplacedCollection,
} from '../../schemas/fleet.ts';
import type { LiveStateEntry } from '../../agent/live-state-report.ts';
import type { FleetService, ReportItem } from '../../service/fleet-service.ts';
import type { HostInventory, HostRecord } from '../../store/host-store.ts';
import type { Store } from '../../store/store.ts';
import { pathId, principalOf } from './request-helpers.ts';
import { errorResponses, operation } from './route-schema.ts';

/**
 * The fleet (preview): /fleet/v1 for the installation's administrators (tenant credentials of the
 * first contract's administrators), /agent/v1 for gateway hosts' agents (their own credential only;
 * `config.agent` makes the authentication hook take nothing else). Both are rate limited like every route.
 */

export const MAX_WATCH_SECONDS = 60;
const AGENT_SECURITY = [{ agentAuth: [] }];
const agentRoute = { config: { agent: true } };

function agentOperation(operationId: string, extra: Record<string, unknown>) {
  return { operationId, tags: ['Gateway host agents'], security: AGENT_SECURITY, ...extra };
}

function hostOf(request: FastifyRequest): HostRecord {
  if (!request.agentHost) throw unauthorized();
  return request.agentHost;
}

/** A change by an installation administrator, with its audit record (hosts live outside the VPN transactions). */
async function recordChange(store: Store, request: FastifyRequest, status: number, resourceId: string | null) {
  const { principal, trace } = request;
  if (!principal || !trace) return;
  await store.insertAuditRecord({
    id: crypto.randomUUID(), contractNumber: principal.contractNumber, userId: principal.userId, userEmail: principal.email,
    operation: trace.operation, resourceId, httpStatus: status, outcome: 'success', requestId: trace.requestId, clientIp: trace.clientIp,
    date: new Date().toISOString(),
  });
  trace.recorded = true;
}

export function registerFleetAdminRoutes(app: FastifyInstance, fleet: FleetService, store: Store) {
  const errors = errorResponses(400, 401, 403, 404, 429);
  const admin = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    await fleet.requireInstallationAdministrator(principal);
    return principal;
  };

  app.post('/fleet/v1/enrollment-tokens', {
    schema: operation('fleetEnrollmentTokensPost', 'Fleet', { body: EnrollmentTokenCreate, response: { 201: EnrollmentTokenCreated, ...errors } }),
  }, async (request, reply) => {
    const principal = await admin(request);
    const body = (request.body ?? {}) as { ttlSeconds?: number };
    const created = await fleet.createEnrollmentToken(principal.email, body.ttlSeconds ?? DEFAULT_ENROLLMENT_TTL_SECONDS);
    await recordChange(store, request, 201, created.id);
    return reply.code(201).send(created);
  });

  app.get('/fleet/v1/hosts', { schema: operation('fleetHostsGet', 'Fleet', { response: { 200: HostCollection, ...errors } }) }, async (request) => {
    await admin(request);
    return { items: await fleet.listHosts() };
  });

  app.get('/fleet/v1/unplaced-gateways', { schema: operation('fleetUnplacedGatewaysGet', 'Fleet', { response: { 200: UnplacedCollection, ...errors } }) }, async (request) => {
    await admin(request);
    return { items: await fleet.listUnplaced() };
  });

  app.post('/fleet/v1/hosts/:hostId/drain', { schema: operation('fleetHostsDrainPost', 'Fleet', { response: { 200: HostRead, ...errors } }) }, async (request) => {
    await admin(request);
    const host = await fleet.drainHost(pathId(request, 'hostId'));
    await recordChange(store, request, 200, host.id);
    return host;
  });

  app.delete('/fleet/v1/hosts/:hostId', { schema: operation('fleetHostsDelete', 'Fleet', { response: { 204: { type: 'null' }, ...errors } }) }, async (request, reply) => {
    await admin(request);
    const id = pathId(request, 'hostId');
    await fleet.removeHost(id);
    await recordChange(store, request, 204, id);
    return reply.code(204).send();
  });
}

/** The agent's side; `maxWaitMs` bounds a watch below the server's idle-connection timeout. */
export function registerAgentRoutes(app: FastifyInstance, fleet: FleetService, maxWaitMs: number) {
  const errors = errorResponses(400, 401, 403, 409, 429);
  app.addHook('preClose', async () => fleet.stopWatches());

  // Enrollment is public: the enrollment token in the body is the credential.
  app.post('/agent/v1/enroll', {
    config: { public: true }, schema: { operationId: 'agentEnroll', tags: ['Gateway host agents'], body: EnrollRequest, response: { 201: EnrollResponse, ...errors } },
  }, async (request, reply) => reply.code(201).send(await fleet.enroll(request.body as { token: string; name: string; version: string })));

  app.put('/agent/v1/inventory', { ...agentRoute, schema: agentOperation('agentInventoryPut', { body: Inventory, response: { 200: InventoryAccepted, ...errors } }) }, async (request) =>
    fleet.replaceInventory(hostOf(request), request.body as HostInventory & { version: string }));

  app.get('/agent/v1/desired', { ...agentRoute, schema: agentOperation('agentDesiredGet', { querystring: DesiredQuery, response: { 200: DesiredResponse, ...errors } }) }, async (request, reply) => {
    const query = request.query as { since?: string; wait?: string };
    const waitSeconds = Math.min(MAX_WATCH_SECONDS, Number(query.wait ?? '0'));
    // A client that goes away ends its wait: nothing is held for a closed connection.
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    return fleet.desired(hostOf(request), query.since === undefined ? undefined : Number(query.since), Math.min(waitSeconds * 1000, maxWaitMs), gone.signal);
  });

  app.post('/agent/v1/reports', { ...agentRoute, schema: agentOperation('agentReportsPost', { body: ReportRequest, response: { 200: ReportResponse, ...errors } }) }, async (request) =>
    ({ gateways: await fleet.report(hostOf(request), (request.body as { gateways: ReportItem[] }).gateways) }));

  app.put('/agent/v1/live-state', {
    ...agentRoute, schema: agentOperation('agentLiveStatePut', { body: LiveStateRequest, response: { 200: LiveStateResponse, ...errors } }),
  }, async (request) => fleet.receiveLiveState(hostOf(request), (request.body as { gateways: LiveStateEntry[] }).gateways));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is an agent's: only a gateway host's credential authenticates it. */
    agent?: boolean;
  }
  interface FastifyRequest {
    /** The gateway host an agent route's request comes from. */
    agentHost?: HostRecord;
  }
}
