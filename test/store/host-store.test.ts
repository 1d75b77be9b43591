import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { HostRecord } from '../../src/store/host-store.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { GatewayRecord } from '../../src/store/store.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres-database.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-01T00:10:00.000Z';
const stamp = { date: NOW, by: 'a@example.com', byUserId: 'u1' };
const DC = '5e1d7a52-3b4c-4d5e-8f60-718293a4b5c6';

function host(name: string, createdDate = NOW): HostRecord {
  return { id: randomUUID(), name, state: 'ACTIVE', version: '1.0.0', createdDate, lastContact: createdDate };
}

function gateway(gatewayIP: string, overrides: Partial<GatewayRecord> = {}): GatewayRecord {
  return {
    id: randomUUID(), contractNumber: 31000001, kind: 'ipsec', properties: { name: 'g', gatewayIP, connections: [{ datacenterId: DC, lanId: '1', ipv4CIDR: '10.0.0.1/24' }] },
    secret: null, publicKey: null, status: 'PROVISIONING', statusMessage: null, generation: 1, appliedGeneration: 0, deleting: false,
    created: stamp, modified: stamp, ...overrides,
  };
}

/** The hosts' store contract, the same on every engine. */
function describeHostStore(engine: string, open: () => Promise<KyselyStore>) {
  describe(`host store on ${engine}`, () => {
    let store: KyselyStore;
    before(async () => {
      store = await open();
      await store.transaction((tx) => tx.insertContract({ number: 31000001, createdDate: NOW }));
    });
    after(async () => { await store?.close(); });

    async function enrolled(name: string, createdDate = NOW): Promise<HostRecord> {
      const tokenHash = randomUUID();
      await store.hosts.insertEnrollmentToken({ id: randomUUID(), tokenHash, expiresAt: LATER, createdBy: 'test' });
      const record = host(name, createdDate);
      assert.equal(await store.hosts.enrollHost(tokenHash, record, randomUUID()), undefined);
      return record;
    }

    test('an enrollment token is spent by the first use; expired, used and unknown ones are refused', async () => {
      await store.hosts.insertEnrollmentToken({ id: randomUUID(), tokenHash: 'h-once', expiresAt: LATER, createdBy: 'test' });
      assert.equal(await store.hosts.enrollHost('h-once', host('once-1'), 'c-once-1'), undefined);
      assert.equal(await store.hosts.enrollHost('h-once', host('once-2'), 'c-once-2'), 'TOKEN_REFUSED');
      assert.equal(await store.hosts.enrollHost('h-unknown', host('unknown'), 'c-unknown'), 'TOKEN_REFUSED');
      await store.hosts.insertEnrollmentToken({ id: randomUUID(), tokenHash: 'h-expired', expiresAt: NOW, createdBy: 'test' });
      assert.equal(await store.hosts.enrollHost('h-expired', host('expired'), 'c-expired'), 'TOKEN_REFUSED');
      assert.equal((await store.hosts.findHostByCredential('c-once-1'))?.name, 'once-1');
      assert.equal(await store.hosts.findHostByCredential('c-once-2'), undefined);
    });

    test('a name taken already is refused and leaves the token unused', async () => {
      await store.hosts.insertEnrollmentToken({ id: randomUUID(), tokenHash: 'h-name', expiresAt: LATER, createdBy: 'test' });
      assert.equal(await store.hosts.enrollHost('h-name', host('once-1'), 'c-dup'), 'NAME_TAKEN');
      assert.equal(await store.hosts.enrollHost('h-name', host('fresh-name'), 'c-fresh'), undefined);
    });

    test('two concurrent enrollments with one token: exactly one host is created', async () => {
      await store.hosts.insertEnrollmentToken({ id: randomUUID(), tokenHash: 'h-race', expiresAt: LATER, createdBy: 'test' });
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.hosts.enrollHost('h-race', host(`race-${i}`), `c-race-${i}`)));
      assert.equal(outcomes.filter((o) => o === undefined).length, 1, `outcomes: ${outcomes.join(',')}`);
      assert.equal(outcomes.filter((o) => o === 'TOKEN_REFUSED').length, 7);
      assert.equal((await store.hosts.listHosts()).filter((h) => h.name.startsWith('race-')).length, 1);
    });

    test('a gateway is placed on the host holding its address; the change log tells each host what it gained and lost', async () => {
      const a = await enrolled('place-a', '2026-01-01T00:00:01.000Z');
      const b = await enrolled('place-b', '2026-01-01T00:00:02.000Z');
      assert.equal(await store.hosts.replaceInventory(a.id, { addresses: ['203.0.113.10'], delegatedBlocks: [], lans: [] }, '1.0.1', LATER), 'replaced');
      assert.equal(await store.hosts.replaceInventory(b.id, { addresses: [], delegatedBlocks: ['198.51.100.0/28'], lans: [] }, '1.0.1', LATER), 'replaced');
      const start = await store.hosts.currentRevision();
      const onA = gateway('203.0.113.10');
      const onB = gateway('198.51.100.7');
      const nowhere = gateway('192.0.2.99');
      await store.transaction(async (tx) => { for (const g of [onA, onB, nowhere]) await tx.insertGateway(g); });
      assert.equal(await store.hosts.placementOf(onA.id), a.id);
      assert.equal(await store.hosts.placementOf(onB.id), b.id);
      assert.equal(await store.hosts.placementOf(nowhere.id), null);
      assert.deepEqual((await store.hosts.changesFor(a.id, start)).placed, [onA.id]);
      assert.deepEqual((await store.hosts.changesFor(b.id, start)).placed, [onB.id]);
      assert.deepEqual((await store.hosts.changesFor(a.id, undefined)).placed, [onA.id], 'a snapshot is what is placed there');

      // The gateway moves to B's block: A is told it left, B that it arrived; a host that never had it hears nothing.
      const moved = await store.hosts.currentRevision();
      await store.transaction((tx) => tx.updateGateway({ ...onA, properties: { ...onA.properties, gatewayIP: '198.51.100.8' }, generation: 2 }));
      assert.deepEqual(await store.hosts.changesFor(a.id, moved), { revision: await store.hosts.currentRevision(), full: false, placed: [], removed: [onA.id] });
      assert.deepEqual((await store.hosts.changesFor(b.id, moved)).placed, [onA.id]);
      const listed = await store.hosts.listHosts();
      assert.equal(listed.find((h) => h.id === b.id)?.gatewayCount, 2);
      assert.equal(listed.find((h) => h.id === b.id)?.delegatedBlockCount, 1);
      assert.equal(listed.find((h) => h.id === b.id)?.version, '1.0.1');

      // Removing B: its gateways are nowhere; a deleted gateway leaves its host's log as removed.
      const beforeDelete = await store.hosts.currentRevision();
      await store.transaction((tx) => tx.deleteGateway(onB.id));
      assert.deepEqual((await store.hosts.changesFor(b.id, beforeDelete)).removed, [onB.id]);
      assert.equal(await store.hosts.removeHost(b.id), true);
      assert.equal(await store.hosts.placementOf(onA.id), null);
      assert.equal(await store.hosts.findHost(b.id), undefined);
      assert.equal(await store.hosts.removeHost(b.id), false);
    });

    test('a draining host takes no new gateways and keeps its own while no active host holds them', async () => {
      const c = await enrolled('drain-c', '2026-01-01T00:00:03.000Z');
      await store.hosts.replaceInventory(c.id, { addresses: ['203.0.113.20', '203.0.113.21'], delegatedBlocks: [], lans: [] }, '1', LATER);
      const kept = gateway('203.0.113.20');
      await store.transaction((tx) => tx.insertGateway(kept));
      assert.equal(await store.hosts.setHostState(c.id, 'DRAINING'), true);
      const fresh = gateway('203.0.113.21');
      await store.transaction((tx) => tx.insertGateway(fresh));
      assert.equal(await store.hosts.placementOf(kept.id), c.id);
      assert.equal(await store.hosts.placementOf(fresh.id), null);
      const d = await enrolled('drain-d', '2026-01-01T00:00:04.000Z');
      await store.hosts.replaceInventory(d.id, { addresses: ['203.0.113.20'], delegatedBlocks: [], lans: [] }, '1', LATER);
      assert.equal(await store.hosts.placementOf(kept.id), d.id, 'an active host holding the address takes it over');
      assert.equal(await store.hosts.setHostState(randomUUID(), 'DRAINING'), false);
    });

    test('a host that has the LANs of a gateway is preferred; otherwise the oldest host holding the address wins', async () => {
      const old = await enrolled('lan-old', '2026-01-01T00:00:05.000Z');
      const young = await enrolled('lan-young', '2026-01-01T00:00:06.000Z');
      await store.hosts.replaceInventory(old.id, { addresses: ['203.0.113.30', '203.0.113.31'], delegatedBlocks: [], lans: [] }, '1', LATER);
      await store.hosts.replaceInventory(young.id, {
        addresses: ['203.0.113.30', '203.0.113.31'], delegatedBlocks: [], lans: [{ datacenterId: DC, lanId: '1', interface: 'eth1' }],
      }, '1', LATER);
      const withLan = gateway('203.0.113.30');
      const withoutLan = gateway('203.0.113.31', { properties: { name: 'g', gatewayIP: '203.0.113.31', connections: [] } });
      await store.transaction(async (tx) => { await tx.insertGateway(withLan); await tx.insertGateway(withoutLan); });
      assert.equal(await store.hosts.placementOf(withLan.id), young.id);
      assert.equal(await store.hosts.placementOf(withoutLan.id), old.id);
      assert.deepEqual((await store.hosts.getInventory(young.id)).lans, [{ datacenterId: DC, lanId: '1', interface: 'eth1' }]);
    });

    test('gateway writes racing an inventory change all end up where placement says', async () => {
      const e = await enrolled('race-e', '2026-01-01T00:00:07.000Z');
      const racing = Array.from({ length: 12 }, () => gateway('203.0.113.50'));
      await Promise.all([
        ...racing.map((g) => store.transaction((tx) => tx.insertGateway(g))),
        store.hosts.replaceInventory(e.id, { addresses: ['203.0.113.50'], delegatedBlocks: [], lans: [] }, '1', LATER),
      ]);
      for (const g of racing) assert.equal(await store.hosts.placementOf(g.id), e.id, 'no gateway missed the host that arrived meanwhile');
      const snapshot = await store.hosts.changesFor(e.id, undefined);
      assert.deepEqual(snapshot.placed, racing.map((g) => g.id).sort());
    });
  });
}

describeHostStore('SQLite', () => openSqliteStore(':memory:'));
if (!postgresUnavailable()) describeHostStore('PostgreSQL', openTestPostgresStore);
