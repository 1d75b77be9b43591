import { lanKey } from '../domain/datacenters.ts';
import { placeGateway, type HostState, type Placement, type PlacementHost } from '../domain/placement.ts';
import type { Executor } from './kysely-reader.ts';

/**
 * Who writes the status of a gateway no host runs. With `ownsUnplacedStatus` (vpngw serve --driver none:
 * the control plane places gateways and no embedded reconciler applies them), placement does, in the
 * transaction that found no host: FAILED "no gateway host holds <ip>", and PROVISIONING (no message)
 * once a host takes it, until that host's agent reports. Without it (one box) statuses are the embedded
 * reconciler's alone.
 */
export interface PlacementOptions {
  ownsUnplacedStatus: boolean;
}

const UNPLACED_PREFIX = 'no gateway host holds ';

/**
 * Keeps gateway_placements and fleet_changes true inside the transaction of a change; see host-store.ts
 * for the revision scheme. `which`: the gateways a write changed, or every gateway (a host changed).
 */
export async function replaceGateways(db: Executor, which: { changed: string[] } | 'all', options: PlacementOptions): Promise<number> {
  // First: raising the revision serialises every placing transaction (row lock), so the reads below
  // see every earlier one committed (PostgreSQL reads committed rows at each statement).
  const { value } = await db.updateTable('fleet_revision').set((eb) => ({ value: eb('value', '+', 1) })).where('id', '=', 1)
    .returning('value').executeTakeFirstOrThrow();
  const revision = Number(value);
  const hosts = await loadPlacementHosts(db);
  const changed = which === 'all' ? [] : which.changed;
  const gatewayQuery = db.selectFrom('gateways').select(['id', 'properties', 'deleting', 'status', 'status_message']);
  const placementQuery = db.selectFrom('gateway_placements').select(['gateway_id', 'host_id']);
  const [gateways, placements] = which === 'all'
    ? await Promise.all([gatewayQuery.execute(), placementQuery.execute()])
    : changed.length === 0 ? [[], []]
      : await Promise.all([gatewayQuery.where('id', 'in', changed).execute(), placementQuery.where('gateway_id', 'in', changed).execute()]);
  const current = new Map(placements.map((p) => [p.gateway_id, p.host_id]));
  const logged: Array<{ revision: number; host_id: string; gateway_id: string }> = [];
  const log = (hostId: string | null | undefined, gatewayId: string) => { if (hostId) logged.push({ revision, host_id: hostId, gateway_id: gatewayId }); };
  const present = new Set<string>();
  for (const row of gateways) {
    present.add(row.id);
    const properties = JSON.parse(row.properties) as { gatewayIP?: string; connections?: Array<{ datacenterId: string; lanId: string }> };
    const before = current.get(row.id) ?? null;
    const placed = placeGateway({
      gatewayIP: String(properties.gatewayIP ?? ''), connections: properties.connections ?? [], deleting: Number(row.deleting) === 1, currentHostId: before,
    }, hosts);
    if (options.ownsUnplacedStatus && Number(row.deleting) === 0) await writeUnplacedStatus(db, row, placed, before);
    if (placed.hostId !== before) {
      log(before, row.id);
      await db.insertInto('gateway_placements').values({ gateway_id: row.id, host_id: placed.hostId })
        .onConflict((oc) => oc.column('gateway_id').doUpdateSet({ host_id: placed.hostId })).execute();
    }
    // A host is told about a gateway that arrived, and about every change of one it runs.
    if (placed.hostId !== before || which !== 'all') log(placed.hostId, row.id);
  }
  const gone = [...current.keys()].filter((id) => !present.has(id));
  for (const id of gone) log(current.get(id), id);
  if (gone.length > 0) await db.deleteFrom('gateway_placements').where('gateway_id', 'in', gone).execute();
  if (logged.length > 0) await db.insertInto('fleet_changes').values(logged).execute();
  return revision;
}

/** FAILED with the reason while no host runs the gateway; PROVISIONING when a host takes it after none did. */
async function writeUnplacedStatus(
  db: Executor, row: { id: string; status: string; status_message: string | null }, placed: Placement, before: string | null,
): Promise<void> {
  if (placed.hostId === null) {
    if (row.status === 'FAILED' && row.status_message === placed.message) return;
    await db.updateTable('gateways').set({ status: 'FAILED', status_message: placed.message }).where('id', '=', row.id).execute();
    return;
  }
  // Placed after none held it: the host's agent reports next (recordApplyOutcome matches the generation only).
  if (before === null && row.status === 'FAILED' && (row.status_message ?? '').startsWith(UNPLACED_PREFIX)) {
    await db.updateTable('gateways').set({ status: 'PROVISIONING', status_message: null }).where('id', '=', row.id).execute();
  }
}

/** Every host with its inventory, as placement needs it. */
export async function loadPlacementHosts(db: Executor): Promise<PlacementHost[]> {
  const [hosts, addresses, blocks, lans] = await Promise.all([
    db.selectFrom('hosts').select(['id', 'state', 'created_date']).execute(),
    db.selectFrom('host_addresses').selectAll().execute(),
    db.selectFrom('host_address_blocks').selectAll().execute(),
    db.selectFrom('host_lans').selectAll().execute(),
  ]);
  return hosts.map((h) => ({
    id: h.id,
    state: h.state as HostState,
    createdDate: h.created_date,
    addresses: addresses.filter((a) => a.host_id === h.id).map((a) => a.address),
    delegatedBlocks: blocks.filter((b) => b.host_id === h.id).map((b) => b.cidr),
    lans: new Set(lans.filter((l) => l.host_id === h.id).map((l) => lanKey(l.datacenter_id, l.lan_id))),
  }));
}
