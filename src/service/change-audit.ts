import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/principal.ts';
import type { Store, StoreWriter } from '../store/store.ts';

/**
 * Runs a change in one transaction together with its audit record, so that a committed change always
 * has its record and a rolled-back one never does. Calls made outside a request (no trace) record nothing.
 * `resourceIdOf` names the resource the change created; otherwise the one the request's path names.
 */
export async function auditedTransaction<T>(
  store: Store, actor: Actor, now: () => Date, work: (tx: StoreWriter) => Promise<T>, resourceIdOf?: (result: T) => string,
): Promise<T> {
  const trace = actor.request;
  const result = await store.transaction(async (tx) => {
    const value = await work(tx);
    if (trace) {
      await tx.insertAuditRecord({
        id: randomUUID(), contractNumber: actor.contractNumber, userId: actor.userId, userEmail: actor.email,
        operation: trace.operation, resourceId: resourceIdOf?.(value) ?? trace.resourceId, httpStatus: trace.successStatus,
        outcome: 'success', requestId: trace.requestId, clientIp: trace.clientIp, date: now().toISOString(),
      });
    }
    return value;
  });
  if (trace) trace.recorded = true;
  return result;
}
