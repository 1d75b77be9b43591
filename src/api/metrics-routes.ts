import type { FastifyInstance } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { sendError } from './error-handler.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time comparison of the presented Bearer token with the configured one. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`));
}

/**
 * Records every response in the HTTP series and serves GET /metrics (Prometheus text format).
 * The route label is the pattern (`/wireguardgateways/:gatewayId`), never the raw URL, so ids do
 * not explode the number of series; requests that matched no route share one label. The series
 * name every contract's gateways: with VPNGW_METRICS_TOKEN set, only a scraper presenting it reads them.
 */
export function installMetrics(app: FastifyInstance, metrics: ServiceMetrics, accessToken?: string): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    metrics.http.requests.inc(labels);
    metrics.http.duration.observe(labels, reply.elapsedTime / 1000);
  });
  // Never rate-limited, so a scraper keeps seeing the server, also while it refuses a flood.
  app.get('/metrics', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async (request, reply) => {
    if (accessToken !== undefined && !bearerMatches(request.headers.authorization, accessToken)) {
      return sendError(reply, 401, 'UNAUTHORIZED', 'GET /metrics needs the metrics token (VPNGW_METRICS_TOKEN) as a Bearer token.');
    }
    await metrics.beforeScrape();
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
