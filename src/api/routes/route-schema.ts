import type { FastifySchema } from 'fastify';
import type {} from '@fastify/swagger';
import { ErrorBody } from '../../schemas/common.ts';

const SECURITY: Array<Record<string, string[]>> = [{ tokenAuth: [] }, { basicAuth: [] }];

/** The schema of an authenticated operation: its OpenAPI id and tag, plus validation and responses. */
export function operation(operationId: string, tag: string, extra: Record<string, unknown>): FastifySchema {
  return { operationId, tags: [tag], security: SECURITY, ...extra };
}

/** The IONOS error body for each of the given statuses, for the response schemas. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}
