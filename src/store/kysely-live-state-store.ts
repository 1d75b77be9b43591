import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';
import type { LiveStateKind, LiveStateRefusal, LiveStateStore, LiveStateWrite, GatewayLiveStateView, StoredLiveState } from './live-state-store.ts';
import type { CommitSync } from './wal-group-sync.ts';

const FOREIGN_KEY_VIOLATION = new Set(['23503', 'SQLITE_CONSTRAINT_FOREIGNKEY']);

function storedFromRow(row: { gateway_id: string; kind: string; state: string; observed_at: string; received_at: string }): StoredLiveState {
  return { gatewayId: row.gateway_id, kind: row.kind as LiveStateKind, state: JSON.parse(row.state) as unknown, observedAt: row.observed_at, receivedAt: row.received_at };
}

/** The live-state store on either engine. */
export class KyselyLiveStateStore implements LiveStateStore {
  constructor(private readonly db: Kysely<Database>, private readonly commits?: CommitSync) {}

  async putLiveStates(hostId: string, entries: LiveStateWrite[], receivedAt: string): Promise<Map<string, LiveStateRefusal>> {
    try {
      return await this.put(hostId, entries, receivedAt);
    } catch (error) {
      // The gateway was deleted (or the host removed) between the placement check and the write: asked again, it is refused.
      if (!FOREIGN_KEY_VIOLATION.has(String((error as { code?: unknown }).code ?? ''))) throw error;
      return this.put(hostId, entries, receivedAt);
    }
  }

  private async put(hostId: string, entries: LiveStateWrite[], receivedAt: string): Promise<Map<string, LiveStateRefusal>> {
    const result = await this.db.transaction().execute(async (tx) => {
      const refused = new Map<string, LiveStateRefusal>();
      await tx.deleteFrom('gateway_live_state').where('host_id', '=', hostId)
        .where('gateway_id', 'not in', tx.selectFrom('gateway_placements').select('gateway_id').where('host_id', '=', hostId))
        .execute();
      const ids = entries.map((e) => e.gatewayId);
      if (ids.length === 0) return refused;
      const placed = new Map((await tx.selectFrom('gateway_placements').innerJoin('gateways', 'gateways.id', 'gateway_placements.gateway_id')
        .select(['gateway_placements.gateway_id', 'gateways.kind'])
        .where('gateway_placements.host_id', '=', hostId).where('gateways.deleting', '=', 0).where('gateway_placements.gateway_id', 'in', ids)
        .execute()).map((r) => [r.gateway_id, r.kind]));
      const stored = new Map((await tx.selectFrom('gateway_live_state').select(['gateway_id', 'observed_at'])
        .where('host_id', '=', hostId).where('gateway_id', 'in', ids).execute()).map((r) => [r.gateway_id, r.observed_at]));
      const rows = [];
      for (const entry of entries) {
        if (placed.get(entry.gatewayId) !== entry.kind) refused.set(entry.gatewayId, 'NOT_PLACED_HERE');
        else if ((stored.get(entry.gatewayId) ?? '') > entry.observedAt) refused.set(entry.gatewayId, 'STALE');
        else rows.push({ gateway_id: entry.gatewayId, host_id: hostId, kind: entry.kind, state: JSON.stringify(entry.state), observed_at: entry.observedAt, received_at: receivedAt });
      }
      if (rows.length > 0) {
        await tx.insertInto('gateway_live_state').values(rows)
          .onConflict((oc) => oc.column('gateway_id').doUpdateSet((eb) => ({
            host_id: eb.ref('excluded.host_id'), kind: eb.ref('excluded.kind'), state: eb.ref('excluded.state'),
            observed_at: eb.ref('excluded.observed_at'), received_at: eb.ref('excluded.received_at'),
          // A later observation of the same host, written by a request that overtook this one, stays.
          })).where((eb) => eb.or([
            eb('gateway_live_state.host_id', '<>', eb.ref('excluded.host_id')),
            eb('gateway_live_state.observed_at', '<=', eb.ref('excluded.observed_at')),
          ])))
          .execute();
      }
      return refused;
    });
    await this.commits?.durable();
    return result;
  }

  async liveStateOf(gatewayId: string): Promise<GatewayLiveStateView> {
    const row = await this.db.selectFrom('gateway_placements')
      .leftJoin('hosts', 'hosts.id', 'gateway_placements.host_id')
      .leftJoin('gateway_live_state', (join) => join.onRef('gateway_live_state.gateway_id', '=', 'gateway_placements.gateway_id')
        .onRef('gateway_live_state.host_id', '=', 'gateway_placements.host_id'))
      .select(['hosts.last_contact', 'gateway_live_state.gateway_id', 'gateway_live_state.kind', 'gateway_live_state.state',
        'gateway_live_state.observed_at', 'gateway_live_state.received_at'])
      .where('gateway_placements.gateway_id', '=', gatewayId)
      .executeTakeFirst();
    if (!row || row.last_contact === null) return { placedOnHost: false, hostLastContact: null, stored: null };
    const { gateway_id, kind, state, observed_at, received_at } = row;
    const stored = gateway_id !== null && kind !== null && state !== null && observed_at !== null && received_at !== null
      ? storedFromRow({ gateway_id, kind, state, observed_at, received_at }) : null;
    return { placedOnHost: true, hostLastContact: row.last_contact, stored };
  }

  async listLiveStates(): Promise<Map<string, StoredLiveState>> {
    const rows = await this.db.selectFrom('gateway_live_state')
      .innerJoin('gateway_placements', (join) => join.onRef('gateway_placements.gateway_id', '=', 'gateway_live_state.gateway_id')
        .onRef('gateway_placements.host_id', '=', 'gateway_live_state.host_id'))
      .select(['gateway_live_state.gateway_id', 'gateway_live_state.kind', 'gateway_live_state.state', 'gateway_live_state.observed_at', 'gateway_live_state.received_at'])
      .execute();
    return new Map(rows.map((r) => [r.gateway_id, storedFromRow(r)]));
  }

  async listPeerIds(): Promise<Map<string, Map<string, string>>> {
    const rows = await this.db.selectFrom('gateway_children').select(['gateway_id', 'id', 'unique_key'])
      .where('kind', '=', 'peer').where('unique_key', 'is not', null)
      .where('gateway_id', 'in', this.db.selectFrom('gateway_live_state').select('gateway_id'))
      .execute();
    const byGateway = new Map<string, Map<string, string>>();
    for (const row of rows) {
      const peers = byGateway.get(row.gateway_id) ?? new Map<string, string>();
      peers.set(row.unique_key as string, row.id);
      byGateway.set(row.gateway_id, peers);
    }
    return byGateway;
  }
}
