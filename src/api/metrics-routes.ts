import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../observability/metrics.ts';

/**
 * Records every response in the HTTP series and serves GET /metrics (Prometheus text format).
 * The route label is the pattern (`/wireguardgateways/:gatewayId`), never the raw URL, so ids do
 * not explode the number of series; requests that matched no route share one label.
 */
export function installMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    metrics.http.requests.inc(labels);
    metrics.http.duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    await metrics.beforeScrape();
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
