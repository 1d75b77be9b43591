import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { TokenCriteria, TokenList, TokenRevocation } from '../../schemas/user-management.ts';
import type { AuthService } from '../../service/auth-service.ts';
import { presentToken } from '../present-identity.ts';
import { actorOf, principalOf } from './request-helpers.ts';
import { errorResponses, operation } from './route-schema.ts';

const errors = errorResponses(400, 401, 404, 429);
const schema = (operationId: string, extra: Record<string, unknown>) => operation(operationId, 'Authentication', extra);

/** Token issuing, listing and revocation for the caller. */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService, baseUrlOf: (r: FastifyRequest) => string) {
  app.get('/auth/v1/tokens/generate', {
    schema: schema('tokensGenerate', {
      querystring: Type.Object({ ttl: Type.Optional(Type.String({ description: 'Lifetime in seconds; default one year.' })) }),
      response: { 200: Type.Object({ token: Type.String() }), ...errors },
    }),
  }, async (request) => auth.issueToken(principalOf(request), (request.query as { ttl?: string }).ttl));

  app.get('/auth/v1/tokens', { schema: schema('tokensGet', { response: { 200: TokenList, ...errors } }) }, async (request) => {
    const tokens = await auth.listTokens(principalOf(request));
    return { tokens: tokens.map((t) => presentToken(baseUrlOf(request), t)) };
  });

  app.delete('/auth/v1/tokens/:tokenId', { schema: schema('tokensDeleteById', { response: { 200: TokenRevocation, ...errors } }) }, async (request) => {
    await auth.revokeToken(actorOf(request), (request.params as { tokenId: string }).tokenId);
    return { success: true };
  });

  app.delete('/auth/v1/tokens', { schema: schema('tokensDeleteByCriteria', { querystring: TokenCriteria, response: { 200: TokenRevocation, ...errors } }) }, async (request) => {
    await auth.revokeTokens(actorOf(request), (request.query as { criteria?: string }).criteria);
    return { success: true };
  });
}
