import type { Kysely } from 'kysely';
import { placeGateway, type HostState } from '../domain/placement.ts';
import type { Database, HostsTable } from './database-schema.ts';
import { loadPlacementHosts, replaceGateways, type PlacementOptions } from './fleet-placement.ts';
import { silentHostMessage, SILENT_HOST_PATTERN } from '../domain/silent-host.ts';
import type {
  EnrollmentRefusal, EnrollmentTokenRecord, HostChanges, HostInventory, HostRecord, HostStore, HostSummary, InventoryOutcome, UnplacedGateway,
} from './host-store.ts';
import type { Executor } from './kysely-reader.ts';
import type { CommitSync } from './wal-group-sync.ts';

const UNIQUE_VIOLATION = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

function hostFromRow(row: Omit<HostsTable, 'credential_hash'>): HostRecord {
  return { id: row.id, name: row.name, state: row.state as HostState, version: row.version, createdDate: row.created_date, lastContact: row.last_contact };
}

const HOST_COLUMNS = ['id', 'name', 'state', 'version', 'created_date', 'last_contact'] as const;

/** Clears the silent-host message of the host's gateways (it called in); other messages are the agent's and stay. */
async function clearSilentMessages(db: Kysely<Database>, hostId: string): Promise<void> {
  await db.updateTable('gateways').set({ status_message: null })
    .where('id', 'in', db.selectFrom('gateway_placements').select('gateway_id').where('host_id', '=', hostId))
    .where('status_message', 'like', SILENT_HOST_PATTERN)
    .execute();
}

/** The hosts' store on either engine: the same Kysely code, as the VPN resources' store. */
export class KyselyHostStore implements HostStore {
  constructor(private readonly db: Kysely<Database>, private readonly commits?: CommitSync, private readonly placement: PlacementOptions = { ownsUnplacedStatus: false }) {}

  /** A transaction that is durable when it resolves (SQLite's group commit, as KyselyStore's). */
  private async transaction<T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    const result = await this.db.transaction().execute(work);
    await this.commits?.durable();
    return result;
  }

  async insertEnrollmentToken(token: EnrollmentTokenRecord) {
    await this.transaction((tx) => tx.insertInto('host_enrollment_tokens')
      .values({ id: token.id, token_hash: token.tokenHash, expires_at: token.expiresAt, used_at: null, created_by: token.createdBy }).execute());
  }

  async enrollHost(tokenHash: string, host: HostRecord, credentialHash: string): Promise<EnrollmentRefusal | undefined> {
    try {
      return await this.transaction(async (tx) => {
        // One statement both checks and spends the token: of two concurrent uses, the second finds it used.
        const spent = await tx.updateTable('host_enrollment_tokens').set({ used_at: host.createdDate })
          .where('token_hash', '=', tokenHash).where('used_at', 'is', null).where('expires_at', '>', host.createdDate)
          .returning('id').executeTakeFirst();
        if (!spent) return 'TOKEN_REFUSED';
        await tx.insertInto('hosts').values({
          id: host.id, name: host.name, state: host.state, version: host.version, created_date: host.createdDate,
          last_contact: host.lastContact, credential_hash: credentialHash,
        }).execute();
        return undefined;
      });
    } catch (error) {
      // The name is taken: the whole transaction rolled back, so the token stays unused.
      if (UNIQUE_VIOLATION.has(String((error as { code?: unknown }).code ?? ''))) return 'NAME_TAKEN';
      throw error;
    }
  }

  async findHostByCredential(credentialHash: string) {
    const row = await this.db.selectFrom('hosts').select(HOST_COLUMNS).where('credential_hash', '=', credentialHash).executeTakeFirst();
    return row && hostFromRow(row);
  }

  async findHost(id: string) {
    const row = await this.db.selectFrom('hosts').select(HOST_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && hostFromRow(row);
  }

  async listHosts(): Promise<HostSummary[]> {
    const rows = await this.db.selectFrom('hosts').select(HOST_COLUMNS)
      .select((eb) => [
        eb.selectFrom('host_addresses').whereRef('host_addresses.host_id', '=', 'hosts.id').select((e) => e.fn.countAll<number | string>().as('n')).as('addresses'),
        eb.selectFrom('host_address_blocks').whereRef('host_address_blocks.host_id', '=', 'hosts.id').select((e) => e.fn.countAll<number | string>().as('n')).as('blocks'),
        eb.selectFrom('gateway_placements').whereRef('gateway_placements.host_id', '=', 'hosts.id').select((e) => e.fn.countAll<number | string>().as('n')).as('gateways'),
      ])
      .orderBy('created_date').orderBy('id').execute();
    return rows.map((r) => ({
      ...hostFromRow(r), addressCount: Number(r.addresses ?? 0), delegatedBlockCount: Number(r.blocks ?? 0), gatewayCount: Number(r.gateways ?? 0),
    }));
  }

  getInventory(hostId: string): Promise<HostInventory> {
    return inventoryOf(this.db, hostId);
  }

  async replaceInventory(hostId: string, inventory: HostInventory, version: string, now: string): Promise<InventoryOutcome> {
    return this.transaction(async (tx) => {
      const updated = await tx.updateTable('hosts').set({ version, last_contact: now }).where('id', '=', hostId).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return 'removed';
      await clearSilentMessages(tx, hostId);
      // A heartbeat that brings the same inventory places nothing again: placement depends on nothing it changed.
      if (sameInventory(await inventoryOf(tx, hostId), inventory)) return 'unchanged';
      await tx.deleteFrom('host_addresses').where('host_id', '=', hostId).execute();
      await tx.deleteFrom('host_address_blocks').where('host_id', '=', hostId).execute();
      await tx.deleteFrom('host_lans').where('host_id', '=', hostId).execute();
      if (inventory.addresses.length > 0) {
        await tx.insertInto('host_addresses').values(inventory.addresses.map((address) => ({ host_id: hostId, address }))).execute();
      }
      if (inventory.delegatedBlocks.length > 0) {
        await tx.insertInto('host_address_blocks').values(inventory.delegatedBlocks.map((cidr) => ({ host_id: hostId, cidr }))).execute();
      }
      if (inventory.lans.length > 0) {
        await tx.insertInto('host_lans').values(inventory.lans.map((l) => ({
          host_id: hostId, datacenter_id: l.datacenterId.toLowerCase(), lan_id: l.lanId, interface: l.interface,
        }))).execute();
      }
      await replaceGateways(tx, 'all', this.placement);
      return 'replaced';
    });
  }

  async touchHost(hostId: string, now: string) {
    // The contact first: a silent-host check that has not written yet no longer finds the host silent.
    await this.db.updateTable('hosts').set({ last_contact: now }).where('id', '=', hostId).execute();
    await clearSilentMessages(this.db, hostId);
  }

  async markSilentHosts(contactBefore: string): Promise<number> {
    const silent = await this.db.selectFrom('hosts').select(['id', 'name', 'last_contact'])
      .where('state', '=', 'ACTIVE').where('last_contact', '<', contactBefore).execute();
    for (const host of silent) {
      const message = silentHostMessage(host.name, host.last_contact);
      // Conditional: several servers may run the check at once, and the host may call in meanwhile.
      await this.db.updateTable('gateways').set({ status_message: message })
        .where('id', 'in', this.db.selectFrom('gateway_placements').select('gateway_id').where('host_id', '=', host.id))
        .where('deleting', '=', 0)
        .where((eb) => eb.or([eb('status_message', 'is', null), eb('status_message', '<>', message)]))
        .where((eb) => eb.exists(eb.selectFrom('hosts').select('id').where('id', '=', host.id)
          .where('state', '=', 'ACTIVE').where('last_contact', '<', contactBefore)))
        .execute();
    }
    return silent.length;
  }

  async setHostState(hostId: string, state: HostState) {
    return this.transaction(async (tx) => {
      const updated = await tx.updateTable('hosts').set({ state }).where('id', '=', hostId).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await replaceGateways(tx, 'all', this.placement);
      return true;
    });
  }

  async removeHost(hostId: string) {
    return this.transaction(async (tx) => {
      const removed = await tx.deleteFrom('hosts').where('id', '=', hostId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return false;
      await tx.deleteFrom('host_addresses').where('host_id', '=', hostId).execute();
      await tx.deleteFrom('host_address_blocks').where('host_id', '=', hostId).execute();
      await tx.deleteFrom('host_lans').where('host_id', '=', hostId).execute();
      await replaceGateways(tx, 'all', this.placement);
      // Its gateways went elsewhere or nowhere; nobody reads its log any more.
      await tx.deleteFrom('fleet_changes').where('host_id', '=', hostId).execute();
      return true;
    });
  }

  async placeAll() {
    await this.transaction((tx) => replaceGateways(tx, 'all', this.placement));
  }

  async changesFor(hostId: string, since: number | undefined): Promise<HostChanges> {
    // The revision first: every change at or below it has committed (see host-store.ts).
    const revision = await this.currentRevision();
    const placedNow = async (ids?: string[]) => {
      let query = this.db.selectFrom('gateway_placements').select('gateway_id').where('host_id', '=', hostId);
      if (ids) query = query.where('gateway_id', 'in', ids);
      return (await query.orderBy('gateway_id').execute()).map((r) => r.gateway_id);
    };
    const snapshot = async () => ({ revision, full: true, placed: await placedNow(), removed: [] });
    if (since === undefined) return snapshot();
    const changed = await this.db.selectFrom('fleet_changes').select('gateway_id').distinct()
      .where('host_id', '=', hostId).where('revision', '>', since).where('revision', '<=', revision).execute();
    // Read after the log: a trim that deleted entries this read needed has committed its horizon too.
    if (since < await this.trimmedThrough()) return snapshot();
    const ids = changed.map((c) => c.gateway_id).sort();
    if (ids.length === 0) return { revision, full: false, placed: [], removed: [] };
    const placed = await placedNow(ids);
    const here = new Set(placed);
    return { revision, full: false, placed, removed: ids.filter((id) => !here.has(id)) };
  }

  async trimChanges(keep: number) {
    return this.transaction(async (tx) => {
      const row = await tx.selectFrom('fleet_revision').select(['value', 'trimmed_through']).where('id', '=', 1).executeTakeFirstOrThrow();
      const horizon = Number(row.value) - keep;
      if (horizon <= Number(row.trimmed_through)) return 0;
      const deleted = await tx.deleteFrom('fleet_changes').where('revision', '<=', horizon).executeTakeFirst();
      await tx.updateTable('fleet_revision').set({ trimmed_through: horizon }).where('id', '=', 1).execute();
      return Number(deleted.numDeletedRows);
    });
  }

  private async trimmedThrough() {
    const row = await this.db.selectFrom('fleet_revision').select('trimmed_through').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.trimmed_through);
  }

  async listUnplaced(): Promise<UnplacedGateway[]> {
    const rows = await this.db.selectFrom('gateways').select(['id', 'contract_number', 'properties']).where('deleting', '=', 0)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('gateway_placements').select('gateway_id')
        .whereRef('gateway_placements.gateway_id', '=', 'gateways.id').where('gateway_placements.host_id', 'is not', null))))
      .orderBy('created_date').orderBy('id').execute();
    const hosts = await loadPlacementHosts(this.db);
    return rows.map((row) => {
      const properties = JSON.parse(row.properties) as { gatewayIP?: string; connections?: Array<{ datacenterId: string; lanId: string }> };
      const gatewayIP = String(properties.gatewayIP ?? '');
      const placed = placeGateway({ gatewayIP, connections: properties.connections ?? [], deleting: false, currentHostId: null }, hosts);
      // A host may have come to hold the address after the last placement; say so rather than a stale reason.
      const message = placed.hostId === null ? placed.message : 'a gateway host holds the address; it is placed at the next change';
      return { id: row.id, contractNumber: Number(row.contract_number), gatewayIP, message };
    });
  }

  async placementOf(gatewayId: string) {
    const row = await this.db.selectFrom('gateway_placements').select('host_id').where('gateway_id', '=', gatewayId).executeTakeFirst();
    return row?.host_id ?? null;
  }

  async currentRevision() {
    const row = await this.db.selectFrom('fleet_revision').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.value);
  }

  async firstContractNumber() {
    const row = await this.db.selectFrom('contracts').select((eb) => eb.fn.min('number').as('n')).executeTakeFirst();
    return row?.n == null ? undefined : Number(row.n);
  }
}

async function inventoryOf(db: Executor, hostId: string): Promise<HostInventory> {
  const [addresses, blocks, lans] = await Promise.all([
    db.selectFrom('host_addresses').select('address').where('host_id', '=', hostId).orderBy('address').execute(),
    db.selectFrom('host_address_blocks').select('cidr').where('host_id', '=', hostId).orderBy('cidr').execute(),
    db.selectFrom('host_lans').select(['datacenter_id', 'lan_id', 'interface']).where('host_id', '=', hostId)
      .orderBy('datacenter_id').orderBy('lan_id').execute(),
  ]);
  return {
    addresses: addresses.map((a) => a.address),
    delegatedBlocks: blocks.map((b) => b.cidr),
    lans: lans.map((l) => ({ datacenterId: l.datacenter_id, lanId: l.lan_id, interface: l.interface })),
  };
}

/** Whether two inventories hold the same entries, whatever their order (LAN datacenter ids as stored, lower-cased). */
function sameInventory(stored: HostInventory, given: HostInventory): boolean {
  const canonical = (i: HostInventory) => JSON.stringify([
    [...i.addresses].sort(), [...i.delegatedBlocks].sort(),
    i.lans.map((l) => `${l.datacenterId.toLowerCase()}\0${l.lanId}\0${l.interface}`).sort(),
  ]);
  return canonical(stored) === canonical(given);
}
