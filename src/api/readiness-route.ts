import type { FastifyInstance } from 'fastify';
import type { ReadinessAnswer } from '../observability/readiness-probe.ts';
import { buildSchemaVersion } from '../store/schema-version.ts';

const UNKNOWN = { store: 'unknown', reconciler: 'unknown', dataPlane: 'unknown' };

/**
 * GET /readyz: 200 `{status: 'ready', checks, schema}` when every check passes, else 503 in the
 * IONOS error shape with one message per failed check, plus the same `status`, `checks` and `schema`.
 * Public and never rate-limited, like every probe.
 */
export function registerReadinessRoute(app: FastifyInstance, readiness: (() => Promise<ReadinessAnswer>) | undefined) {
  const { name, number } = buildSchemaVersion();
  const schema = { version: number, migration: name };
  app.get('/readyz', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    const answer: ReadinessAnswer = readiness
      ? await readiness().catch((): ReadinessAnswer => ({ ready: false, checks: UNKNOWN, failures: ['readiness: the checks could not run'] }))
      : { ready: true, checks: { store: 'ok', reconciler: 'ok', dataPlane: 'ok' }, failures: [] };
    if (answer.ready) return { status: 'ready', checks: answer.checks, schema };
    const details = 'checks' in answer ? { status: 'not ready', checks: answer.checks } : { status: 'shutting down' };
    return reply.code(503).type('application/json').send({
      httpStatus: 503,
      messages: answer.failures.map((message) => ({ errorCode: 'NOT_READY', message })),
      ...details,
      schema,
    });
  });
}
