import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import type { LiveStateSource } from '../agent/driver.ts';
import { ApiError } from '../domain/errors.ts';
import { formatRules } from '../domain/formats.ts';
import type { HttpLimits } from '../config.ts';
import { secureContextOptions, type TlsCredentials } from '../security/tls-credentials.ts';
import type { AuthService } from '../service/auth-service.ts';
import type { DatacenterService } from '../service/datacenter-service.ts';
import type { FleetService } from '../service/fleet-service.ts';
import type { UserService } from '../service/user-service.ts';
import type { VpnService } from '../service/vpn-service.ts';
import type { Store } from '../store/store.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { ReadinessAnswer } from '../observability/readiness-probe.ts';
import { installAuditTrail } from './audit-hook.ts';
import { installClientAbortCheck } from './client-abort.ts';
import { installConsole } from './console-routes.ts';
import { installDocsPage } from './docs-page.ts';
import { installErrorHandling, sendError } from './error-handler.ts';
import { installMetrics } from './metrics-routes.ts';
import { registerReadinessRoute } from './readiness-route.ts';
import { openApiInfo } from './openapi-info.ts';
import type { PresentContext } from './present.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerDatacenterRoutes } from './routes/datacenter-routes.ts';
import { MAX_WATCH_SECONDS, registerAgentRoutes, registerFleetAdminRoutes } from './routes/fleet-routes.ts';
import { registerLiveStatusRoutes } from './routes/live-status-routes.ts';
import { registerUserManagementRoutes } from './routes/user-management-routes.ts';
import { registerChildRoutes, registerGatewayRoutes } from './routes/vpn-routes.ts';
import { vpnResources } from './routes/vpn-resources.ts';
import './request-principal.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface AppDeps {
  vpn: VpnService;
  auth: AuthService;
  users: UserService;
  datacenters: DatacenterService;
  store: Store;
  logger: Logger | false;
  location: string;
  /** Base of every href; when absent, taken from the request's Host. */
  publicUrl?: string;
  /** Requests per minute per client address; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** Timeouts and the connection cap of the HTTP server; Node's defaults (no bounds) when absent. */
  http?: HttpLimits;
  /** The data plane's live sessions, when the driver can report them. */
  liveState?: LiveStateSource;
  /** Answers whether the service is ready (store, reconciler, data plane) or shutting down. */
  ready?: () => Promise<ReadinessAnswer>;
  /** Prometheus series; GET /metrics is served when given. */
  metrics?: ServiceMetrics;
  /** When set, GET /metrics answers only to `Authorization: Bearer <this>`. */
  metricsToken?: string;
  /** The fleet's control plane (/fleet/v1, /agent/v1); absent, those routes do not exist. */
  fleet?: FleetService;
  /** When given, the server speaks HTTPS only (TLS 1.2 and later) with this certificate. */
  tls?: TlsCredentials;
  /** Proxies (addresses, CIDRs) whose X-Forwarded-* headers set request.ip, .protocol and .host; none: they are ignored. */
  trustedProxies?: string[];
}

type AjvLike = { addFormat(name: string, check: (s: string) => boolean): unknown };

const CLIENT_ERRORS: Record<string, { status: number; reason: string; errorCode: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', errorCode: 'BAD_REQUEST', message: 'The request could not be parsed as HTTP.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', errorCode: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time.' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', errorCode: 'BAD_REQUEST', message: 'The request could not be parsed as HTTP.' };

/**
 * Requests Node's HTTP server refuses (headers too large, garbage, headers or body too slow) still
 * get the IONOS error body; the connection is closed.
 */
function answerClientError(error: { code?: string }, socket: Socket) {
  const { status, reason, errorCode, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ httpStatus: status, messages: [{ errorCode, message }] });
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } else {
    socket.destroy();
  }
}

/** Fastify's options for the bounds on slow and idle clients. */
function serverTimeouts(limits: HttpLimits | undefined) {
  if (!limits) return {};
  return {
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the headers and request timeouts only every connectionsCheckingInterval (30 s by default).
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))) },
  };
}

/**
 * Fastify hands `https` instead of `http` to the server it creates, so with TLS the HTTP server
 * options (the headers timeout) go along with the certificate.
 */
function serverOptions(deps: AppDeps) {
  const timeouts = serverTimeouts(deps.http);
  if (!deps.tls) return timeouts;
  const { http, ...rest } = timeouts;
  return { ...rest, https: { ...http, ...secureContextOptions(deps.tls) } };
}

function createServer(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger || undefined,
    logger: deps.logger ? undefined : false,
    bodyLimit: BODY_LIMIT_BYTES,
    ...serverOptions(deps),
    ...(deps.trustedProxies && deps.trustedProxies.length > 0 ? { trustProxy: deps.trustedProxies } : {}),
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    clientErrorHandler: answerClientError,
    // While draining, a request on a connection still open is served (with Connection: close), so /readyz answers "shutting down".
    return503OnClosing: false,
    // Errors the router raises before any route runs (a malformed URL, an over-long path parameter).
    frameworkErrors: (error: { statusCode?: number }, _request: unknown, reply: FastifyReply) =>
      sendError(reply, error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400, 'BAD_REQUEST_URL',
        'The request URL is malformed or too long.'),
    ajv: {
      // Unknown fields are dropped, not stored: clients may send extras, but nothing unvalidated is kept.
      customOptions: { coerceTypes: false, removeAdditional: 'all', useDefaults: false, allErrors: false },
      plugins: [(ajv: AjvLike) => {
        for (const [name, rule] of Object.entries(formatRules)) ajv.addFormat(name, rule.check);
        return ajv;
      }],
    },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  if (deps.http && deps.http.maxConnections > 0) app.server.maxConnections = deps.http.maxConnections;
  return app;
}

/**
 * Rate limiting counts every request before anything else runs (credentials are checked after it),
 * so a limited request costs no password check, has had no effect at all (the SDKs retry it) and
 * leaves no audit record. Routes with `rateLimit: false` (health probes, metrics) are never limited.
 */
async function installRateLimit(app: FastifyInstance, perMinute: number, metrics: ServiceMetrics | undefined) {
  if (perMinute <= 0) return;
  await app.register(rateLimit, {
    global: false,
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    allowList: (request) => request.routeOptions.config?.rateLimit === false,
    onExceeded: () => metrics?.rateLimited.inc(),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'RATE_LIMITED', `Too many requests: at most ${context.max} a minute; retry after ${Math.ceil(context.ttl / 1000)} s.`),
  });
  app.addHook('onRequest', app.rateLimit());
}

/**
 * A request refused before its body has arrived (no or wrong credentials, a rate limit, a body too
 * large) gets `Connection: close`: Node then closes the connection after the answer instead of
 * reading, and waiting for, the rest of a body nobody will use.
 */
function closeUnreadBodies(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply, payload) => {
    const { headers, complete } = request.raw;
    const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
    if (hasBody && !complete && reply.statusCode >= 400) reply.header('connection', 'close');
    return payload;
  });
}

/** The HTTP API: every route, validation, authentication, rate limits, audit and the IONOS error shape. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = createServer(deps);
  installErrorHandling(app);
  // Only JSON bodies are accepted; Fastify's built-in text/plain parser would let text reach validation (spec: 415).
  app.removeContentTypeParser('text/plain');
  // A request without a body has nothing to parse, whatever Content-Type a client adds (e.g. on DELETE).
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const { headers } = request.raw;
    if (headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0') delete headers['content-type'];
  });
  await installRateLimit(app, deps.rateLimitPerMinute, deps.metrics);
  closeUnreadBodies(app);
  installClientAbortCheck(app);
  await app.register(swagger, { openapi: openApiInfo });
  await installDocsPage(app);
  await installConsole(app);
  if (deps.metrics) installMetrics(app, deps.metrics, deps.metricsToken);

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    // Agent routes take a gateway host's credential and nothing else; tenant routes never take one (it is no JWT).
    if (request.routeOptions.config?.agent) {
      request.agentHost = await (deps.fleet as FleetService).authenticateAgent(request.headers.authorization);
      return;
    }
    request.principal = await deps.auth.authenticate(request.headers.authorization, request.ip);
    if (request.routeOptions.config?.vpn) await deps.auth.requireVpnAccess(request.principal);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (payload !== undefined && payload !== null && payload !== '' && !reply.hasHeader('content-type')) reply.type('application/json');
    return payload;
  });
  installAuditTrail(app, deps.store);

  // Probes are never rate-limited: a load balancer sharing an address with busy clients must not take a healthy server out.
  app.get('/healthz', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  registerReadinessRoute(app, deps.ready);

  const baseUrlOf = (request: FastifyRequest) => (deps.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  const presentContext = (request: FastifyRequest): PresentContext => ({ baseUrl: baseUrlOf(request), location: deps.location });
  registerAuthRoutes(app, deps.auth, baseUrlOf);
  registerUserManagementRoutes(app, deps.users, baseUrlOf);
  registerAuditRoutes(app, deps.store, baseUrlOf);
  registerDatacenterRoutes(app, deps.datacenters, presentContext);
  for (const spec of vpnResources) {
    registerGatewayRoutes(app, spec, { vpn: deps.vpn, presentContext });
    registerChildRoutes(app, spec, { vpn: deps.vpn, presentContext });
  }
  registerLiveStatusRoutes(app, { vpn: deps.vpn, ...(deps.liveState ? { liveState: deps.liveState } : {}) });
  if (deps.fleet) {
    registerFleetAdminRoutes(app, deps.fleet, deps.store);
    // A watch must end before the server's idle-connection timeout would cut it.
    const idleMs = deps.http?.connectionTimeoutMs ?? 0;
    registerAgentRoutes(app, deps.fleet, idleMs > 0 ? Math.max(0, Math.min(MAX_WATCH_SECONDS * 1000, idleMs - 1000)) : MAX_WATCH_SECONDS * 1000);
  }
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no authentication. */
    public?: boolean;
    /** The route needs the accessAndManageVpn privilege. */
    vpn?: boolean;
  }
}
