import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { formatRules } from '../domain/formats.ts';
import { requireVpnAccess, type AuthService } from '../service/auth-service.ts';
import type { VpnService } from '../service/vpn-service.ts';
import { installErrorHandling, sendError } from './error-handler.ts';
import type { PresentContext } from './present.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerChildRoutes, registerGatewayRoutes } from './routes/vpn-routes.ts';
import { vpnResources } from './routes/vpn-resources.ts';
import { openApiInfo } from './openapi-info.ts';
import './request-principal.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppDeps {
  vpn: VpnService;
  auth: AuthService;
  logger: Logger | false;
  location: string;
  /** Base of every href; when absent, taken from the request's Host. */
  publicUrl?: string;
  /** Answers whether the service is ready (store reachable). */
  ready?: () => Promise<boolean>;
}

type AjvLike = { addFormat(name: string, check: (s: string) => boolean): unknown };

/** The HTTP API: every route, validation, authentication and the IONOS error shape. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger || undefined,
    logger: deps.logger ? undefined : false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false },
      plugins: [(ajv: AjvLike) => {
        for (const [name, rule] of Object.entries(formatRules)) ajv.addFormat(name, rule.check);
        return ajv;
      }],
    },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  installErrorHandling(app);
  // Only JSON bodies are accepted; Fastify's built-in text/plain parser would let text reach validation (spec: 415).
  app.removeContentTypeParser('text/plain');
  // A request without a body has nothing to parse, whatever Content-Type a client adds (e.g. on DELETE).
  app.addHook('onRequest', async (request) => {
    const { headers } = request.raw;
    if (headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0') delete headers['content-type'];
  });
  await app.register(swagger, { openapi: openApiInfo, refResolver: { buildLocalReference: (json, _b, _f, i) => String(json.$id ?? `def-${i}`) } });

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    request.principal = await deps.auth.authenticate(request.headers.authorization);
    if (request.routeOptions.url?.startsWith('/auth/')) return;
    requireVpnAccess(request.principal);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (payload !== undefined && payload !== null && payload !== '' && !reply.hasHeader('content-type')) reply.type('application/json');
    return payload;
  });

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const ready = deps.ready ? await deps.ready().catch(() => false) : true;
    return ready ? { status: 'ready' } : sendError(reply, 503, 'NOT_READY', 'The store is not reachable.');
  });

  registerAuthRoutes(app, deps.auth);
  const presentContext = (request: FastifyRequest): PresentContext => ({
    baseUrl: (deps.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, ''),
    location: deps.location,
  });
  for (const spec of vpnResources) {
    registerGatewayRoutes(app, spec, { vpn: deps.vpn, presentContext });
    registerChildRoutes(app, spec, { vpn: deps.vpn, presentContext });
  }
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no authentication. */
    public?: boolean;
  }
}
