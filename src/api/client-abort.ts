import type { FastifyInstance, FastifyRequest } from 'fastify';

// What reading a request fails with when its client goes away: Node's "aborted" (ECONNRESET) and kin.
const ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Whether an error is the request's own client going away (an upload aborted, the connection reset)
 * rather than the service failing: a connection error while the request's socket is gone. A store's
 * connection reset carries the same code, but its request is still connected.
 */
export function isClientAbort(error: unknown, request: FastifyRequest): boolean {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (!ABORT_CODES.has(code)) return false;
  const raw = request.raw;
  return raw.socket?.destroyed === true || (raw.destroyed && !raw.complete);
}

/**
 * A client that went away while its request waited (for authentication, say) is not read at all:
 * its request ends here as a client abort, instead of waiting for a body that will never come.
 */
export function installClientAbortCheck(app: FastifyInstance) {
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.raw.socket?.destroyed && !request.raw.complete) throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    return payload;
  });
}
