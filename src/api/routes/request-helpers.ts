import type { FastifyRequest } from 'fastify';
import { badRequest, unauthorized } from '../../domain/errors.ts';
import { isUuid } from '../../domain/formats.ts';
import { dropEmpty, type SchemaShape } from '../../domain/normalize-input.ts';
import type { Actor, Principal } from '../../domain/principal.ts';
import '../request-principal.ts';

/** The authenticated caller; routes run only after the authentication hook set it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** The caller of a mutating route with its request's audit trace: the use case records its change with it. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return request.trace ? { ...principal, request: request.trace } : principal;
}

/** A UUID path parameter, lower-cased; anything else is 400 naming the parameter. */
export function pathId(request: FastifyRequest, name: string): string {
  const id = (request.params as Record<string, string | undefined>)[name] ?? '';
  if (!isUuid(id)) throw badRequest(`The path parameter ${name} must be a UUID.`, 'INVALID_ID');
  return id.toLowerCase();
}

/** Empty strings and nulls mean "not given", before the schema sees the body. */
export async function dropEmptyBody(request: FastifyRequest) {
  request.body = dropEmpty(request.body, request.routeOptions.schema?.body as SchemaShape | undefined);
}
