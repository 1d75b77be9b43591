import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../../domain/errors.ts';
import { parsePage } from '../../domain/pagination.ts';
import { PaginationQuery } from '../../schemas/common.ts';
import { AuditCollection } from '../../schemas/user-management.ts';
import type { Store } from '../../store/store.ts';
import { presentCollection } from '../present.ts';
import { presentAuditRecord } from '../present-identity.ts';
import { principalOf } from './request-helpers.ts';
import { errorResponses, operation } from './route-schema.ts';

/** GET /audit/v1/records: the caller's contract's record of mutating requests, oldest first; administrators only. */
export function registerAuditRoutes(app: FastifyInstance, store: Store, baseUrlOf: (r: FastifyRequest) => string) {
  app.get('/audit/v1/records', {
    schema: operation('auditRecordsGet', 'Audit', { querystring: PaginationQuery, response: { 200: AuditCollection, ...errorResponses(400, 401, 403, 429) } }),
  }, async (request) => {
    const principal = principalOf(request);
    if (!principal.administrator) throw forbidden('Only the contract\'s administrators read the audit records.');
    const page = parsePage(request.query as Record<string, unknown>);
    const listing = await store.listAuditRecords(principal.contractNumber, page);
    return presentCollection(baseUrlOf(request), 'audit/v1/records', page, listing, presentAuditRecord);
  });
}
