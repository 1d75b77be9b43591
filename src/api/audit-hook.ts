import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.ts';
import './request-principal.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The resource a mutating request acted on: the created one (Location) or the last id in the path. */
function resourceIdOf(request: FastifyRequest, reply: FastifyReply): string | null {
  const location = reply.getHeader('location');
  const fromLocation = typeof location === 'string' ? UUID_AT_END.exec(location)?.[1] : undefined;
  const ids = Object.values((request.params ?? {}) as Record<string, string>).filter((p) => UUID_AT_END.test(p) && p.length === 36);
  return fromLocation ?? ids.at(-1)?.toLowerCase() ?? null;
}

/**
 * Records every authenticated mutating request once it has been answered: who, which contract, what,
 * on which resource, and the outcome. Bodies are never recorded, so no secret can reach the audit
 * trail. Requests refused before authentication (401, 429) belong to no contract: they go to the
 * request log only, so a flood of them cannot fill the store.
 */
export function installAuditTrail(app: FastifyInstance, store: Store) {
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (!MUTATING.has(request.method) || !principal) return;
    await store.insertAuditRecord({
      id: randomUUID(),
      contractNumber: principal.contractNumber,
      userId: principal.userId,
      userEmail: principal.email,
      operation: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      resourceId: resourceIdOf(request, reply),
      httpStatus: reply.statusCode,
      outcome: reply.statusCode < 400 ? 'success' : 'failure',
      requestId: String(request.id),
      clientIp: request.ip,
      date: new Date().toISOString(),
    }).catch((error: unknown) => request.log.error({ err: error }, 'could not write the audit record'));
  });
}
