import type { Principal, RequestTrace } from '../domain/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not public. */
    principal?: Principal;
    /** Set on authenticated mutating requests: what the audit record of their change names. */
    trace?: RequestTrace;
  }
}
