import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { unauthorized } from '../../domain/errors.ts';
import type { AuthService } from '../../service/auth-service.ts';
import '../request-principal.ts';

/** GET /auth/v1/tokens/generate: a signed JWT for the caller. */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService) {
  app.get('/auth/v1/tokens/generate', {
    schema: {
      operationId: 'tokensGenerate',
      tags: ['Authentication'],
      querystring: Type.Object({ ttl: Type.Optional(Type.String({ description: 'Lifetime in seconds; default one year.' })) }),
      response: { 200: Type.Object({ token: Type.String() }) },
    },
  }, async (request) => {
    if (!request.principal) throw unauthorized();
    return auth.issueToken(request.principal, (request.query as { ttl?: string }).ttl);
  });
}
