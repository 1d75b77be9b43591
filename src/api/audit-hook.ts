import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestTrace } from '../domain/principal.ts';
import type { Store } from '../store/store.ts';
import './request-principal.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The last id in the path: the resource a request acts on, unless it creates one. */
function pathResourceId(request: FastifyRequest): string | null {
  const ids = Object.values((request.params ?? {}) as Record<string, string>).filter((p) => UUID.test(p));
  return ids.at(-1)?.toLowerCase() ?? null;
}

/** The status a route answers on success: the one 2xx of its response schema. */
function successStatusOf(request: FastifyRequest): number {
  const responses = Object.keys((request.routeOptions.schema?.response ?? {}) as Record<string, unknown>);
  return Number(responses.find((status) => /^2[0-9][0-9]$/.test(status)) ?? 200);
}

function traceOf(request: FastifyRequest): RequestTrace {
  return {
    operation: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
    requestId: String(request.id),
    clientIp: request.ip,
    successStatus: successStatusOf(request),
    resourceId: pathResourceId(request),
    recorded: false,
  };
}

async function insertRecord(store: Store, request: FastifyRequest, reply: FastifyReply, trace: RequestTrace) {
  const principal = request.principal;
  if (!principal) return;
  await store.insertAuditRecord({
    id: randomUUID(), contractNumber: principal.contractNumber, userId: principal.userId, userEmail: principal.email,
    operation: trace.operation, resourceId: trace.resourceId, httpStatus: reply.statusCode,
    outcome: reply.statusCode < 400 ? 'success' : 'failure', requestId: trace.requestId, clientIp: trace.clientIp, date: new Date().toISOString(),
  }).catch((error: unknown) => request.log.error({ err: error }, 'could not write the audit record'));
}

/**
 * The audit trail of authenticated mutating requests: who, which contract, what, on which resource,
 * and the outcome; bodies are never recorded, so no secret can reach it. A change is recorded by the
 * use case in the transaction that makes it (with the trace set here), so an acknowledged change
 * always has its record. A refused request (4xx, 5xx) made no change: it is recorded after its
 * answer. Requests refused before authentication (401, 429) belong to no contract and a 429 is never
 * recorded: a flood of them must not fill the store; they go to the request log only.
 */
export function installAuditTrail(app: FastifyInstance, store: Store) {
  app.addHook('preHandler', async (request) => {
    if (MUTATING.has(request.method) && request.principal) request.trace = traceOf(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    const trace = request.trace ?? (MUTATING.has(request.method) && request.principal ? traceOf(request) : undefined);
    if (!trace || trace.recorded || reply.statusCode === 429) return;
    if (reply.statusCode < 400) {
      request.log.warn({ operation: trace.operation }, 'a change was answered without an audit record in its transaction; recording it now');
    }
    await insertRecord(store, request, reply, trace);
  });
}
