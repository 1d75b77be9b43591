import type { Principal } from '../domain/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not public. */
    principal?: Principal;
  }
}
