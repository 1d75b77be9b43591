import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { GatewayKind } from '../../src/domain/desired-state.ts';
import { ConcurrentChange, IdTaken, type ChildKind, type ChildRecord, type DatacenterRecord, type GatewayRecord, type LanRecord, type Store } from '../../src/store/store.ts';

const CONTRACT = 31000001;
const OTHER_CONTRACT = 31000002;

/** Ids whose order is their number, so expected orders are easy to write. */
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const stamp = (date: string) => ({ date, by: 'admin@example.com', byUserId: id(999) });

function gateway(n: number, overrides: Partial<GatewayRecord> = {}): GatewayRecord {
  return {
    id: id(n), contractNumber: CONTRACT, kind: 'wireguard',
    properties: { name: `gw-${n}`, listenPort: 51820, connections: [{ datacenterId: id(500), lanId: '1' }] },
    secret: 'v1:sealed', publicKey: '9GCzWfGEkeM855tl2kjVtE+MnzHBkv1sJi4+Swo1c2E=', status: 'PROVISIONING', statusMessage: null,
    generation: 1, appliedGeneration: 0, deleting: false,
    created: stamp('2024-01-01T00:00:00.000Z'), modified: stamp('2024-01-01T00:00:00.000Z'),
    ...overrides,
  };
}

function child(n: number, gatewayId: string, overrides: Partial<ChildRecord> = {}): ChildRecord {
  return {
    id: id(n), gatewayId, kind: 'peer', properties: { name: `peer-${n}`, allowedIPs: ['10.0.0.0/24'] },
    secret: null, uniqueKey: `key-${n}`, generation: 1,
    created: stamp('2024-01-02T00:00:00.000Z'), modified: stamp('2024-01-02T00:00:00.000Z'),
    ...overrides,
  };
}

function datacenter(n: number, overrides: Partial<DatacenterRecord> = {}): DatacenterRecord {
  return {
    id: id(n), contractNumber: CONTRACT, name: `dc-${n}`, location: 'de/fra', declared: false,
    createdDate: '2024-01-03T00:00:00.000Z', lastModifiedDate: '2024-01-03T00:00:00.000Z',
    ...overrides,
  };
}

function lan(datacenterNumber: number, lanId: string, overrides: Partial<LanRecord> = {}): LanRecord {
  return {
    datacenterId: id(datacenterNumber), lanId, name: `lan-${lanId}`, hostInterface: null,
    createdDate: '2024-01-04T00:00:00.000Z', lastModifiedDate: '2024-01-04T00:00:00.000Z',
    ...overrides,
  };
}

/**
 * The behaviour every Store implementation must show, whatever the engine. Each test gets a fresh,
 * empty, migrated store from openStore.
 */
export function describeStoreContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`Store contract (${engine})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await openStore();
      await store.transaction(async (tx) => {
        await tx.insertContract({ number: CONTRACT, createdDate: '2024-01-01T00:00:00.000Z' });
        await tx.insertContract({ number: OTHER_CONTRACT, createdDate: '2024-01-01T00:00:00.000Z' });
      });
    });
    afterEach(async () => { await store.close(); });

    const insert = (...records: (GatewayRecord | ChildRecord)[]) => store.transaction(async (tx) => {
      for (const r of records) await ('gatewayId' in r ? tx.insertChild(r) : tx.insertGateway(r));
    });

    test('a gateway and a child read back exactly as written (types included)', async () => {
      const g = gateway(1, { statusMessage: 'why', deleting: true, generation: 7, appliedGeneration: 5, properties: { nested: { a: [1, 'b', null] } } });
      const c = child(2, g.id, { kind: 'tunnel', secret: 'v1:psk', uniqueKey: null });
      await insert(g, c);
      assert.deepEqual(await store.findGateway(CONTRACT, 'wireguard', g.id), g);
      assert.deepEqual(await store.findGatewayAnywhere(g.id), g);
      assert.deepEqual(await store.findChild(g.id, 'tunnel', c.id), c);
      assert.deepEqual(await store.findChildAnywhere(c.id), c);
    });

    test('findGateway is scoped by contract and kind; findChild by gateway and kind', async () => {
      const g = gateway(1);
      const c = child(2, g.id);
      await insert(g, gateway(3), c);
      assert.equal(await store.findGateway(OTHER_CONTRACT, 'wireguard', g.id), undefined);
      assert.equal(await store.findGateway(CONTRACT, 'ipsec', g.id), undefined);
      assert.equal(await store.findChild(id(3), 'peer', c.id), undefined);
      assert.equal(await store.findChild(g.id, 'tunnel', c.id), undefined);
      assert.equal(await store.findGatewayAnywhere(id(404)), undefined);
    });

    test('a transaction that throws half-way leaves nothing behind and passes the error on', async () => {
      const failure = new Error('boom half-way');
      await assert.rejects(store.transaction(async (tx) => {
        await tx.insertGateway(gateway(1));
        await tx.insertChild(child(2, id(1)));
        throw failure;
      }), (e: unknown) => e === failure);
      assert.equal(await store.findGatewayAnywhere(id(1)), undefined, 'no half-made gateway');
      assert.equal(await store.findChildAnywhere(id(2)), undefined, 'no half-made child');
      assert.equal((await store.listGateways(CONTRACT, 'wireguard', { offset: 0, limit: 10 })).total, 0);
    });

    test('a failed transaction undoes updates and deletes too', async () => {
      const g = gateway(1);
      await insert(g, child(2, g.id), child(3, g.id));
      await assert.rejects(store.transaction(async (tx) => {
        await tx.updateGateway({ ...g, generation: 2, status: 'FAILED', properties: { name: 'changed' } });
        await tx.deleteChild(id(2));
        await tx.insertChild(child(4, g.id));
        await tx.insertChild(child(5, g.id, { uniqueKey: 'key-3' })); // violates the per-gateway unique key
      }));
      assert.deepEqual(await store.findGatewayAnywhere(g.id), g);
      assert.deepEqual((await store.listAllChildren(g.id)).map((c) => c.id), [id(2), id(3)]);
    });

    test('an id is held by one gateway, peer or tunnel of any contract: inserting another with it is IdTaken naming the holder', async () => {
      await insert(gateway(1), gateway(2, { contractNumber: OTHER_CONTRACT, kind: 'ipsec', publicKey: null }), child(3, id(1)));
      assert.deepEqual(await store.findIdHolder(id(1)), { contractNumber: CONTRACT, kind: 'wireguard' });
      assert.deepEqual(await store.findIdHolder(id(2)), { contractNumber: OTHER_CONTRACT, kind: 'ipsec' });
      assert.deepEqual(await store.findIdHolder(id(3)), { contractNumber: CONTRACT, kind: 'peer' }, 'a child is held for its gateway\'s contract');
      assert.equal(await store.findIdHolder(id(404)), undefined);
      const takenBy = (holder: object) => (e: unknown) => e instanceof IdTaken && assert.deepEqual(e.holder, holder) === undefined;
      await assert.rejects(insert(child(1, id(1))), takenBy({ contractNumber: CONTRACT, kind: 'wireguard' }));
      await assert.rejects(insert(child(2, id(1), { kind: 'tunnel' })), takenBy({ contractNumber: OTHER_CONTRACT, kind: 'ipsec' }));
      await assert.rejects(insert(gateway(3)), takenBy({ contractNumber: CONTRACT, kind: 'peer' }));
      await assert.rejects(insert(gateway(3, { contractNumber: OTHER_CONTRACT })), takenBy({ contractNumber: CONTRACT, kind: 'peer' }));
      assert.equal(await store.findChildAnywhere(id(1)), undefined);
      assert.equal((await store.listAllChildren(id(1))).length, 1);
    });

    test('deleting a child or a gateway (with its children) frees their ids', async () => {
      await insert(gateway(1), child(2, id(1)), child(3, id(1), { kind: 'tunnel', uniqueKey: null }), gateway(4), child(5, id(4)));
      await store.transaction((tx) => tx.deleteChild(id(5)));
      await store.transaction((tx) => tx.deleteGateway(id(1)));
      for (const n of [1, 2, 3, 5]) assert.equal(await store.findIdHolder(id(n)), undefined, `id ${n} is free`);
      assert.deepEqual(await store.findIdHolder(id(4)), { contractNumber: CONTRACT, kind: 'wireguard' });
      await insert(gateway(2), child(1, id(2)), child(5, id(4)));
    });

    test('two transactions inserting one id, as a gateway and as a peer, at once: one wins, the other is IdTaken', async () => {
      await insert(gateway(1));
      for (let round = 0; round < 5; round += 1) {
        const contested = id(100 + round);
        const results = await Promise.allSettled([
          store.transaction((tx) => tx.insertGateway(gateway(100 + round))),
          store.transaction(async (tx) => { await tx.lockGateway(id(1)); await tx.insertChild(child(100 + round, id(1))); }),
        ]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
        const failure = results.find((r) => r.status === 'rejected');
        assert.ok(failure?.status === 'rejected' && failure.reason instanceof IdTaken, `round ${round}: ${String(failure?.status === 'rejected' && failure.reason)}`);
        const asGateway = await store.findGatewayAnywhere(contested);
        const asChild = await store.findChildAnywhere(contested);
        assert.equal(Number(asGateway !== undefined) + Number(asChild !== undefined), 1, `round ${round}: held by exactly one`);
      }
    });

    test('audit records: written inside a transaction they commit or roll back with it; expired ones are deleted oldest first, in batches', async () => {
      const record = (n: number, date: string) => ({
        id: id(n), contractNumber: CONTRACT, userId: 'u', userEmail: 'e@example.com', operation: 'POST /x', resourceId: null,
        httpStatus: 201, outcome: 'success' as const, requestId: `r${n}`, clientIp: '192.0.2.1', date,
      });
      await store.transaction((tx) => tx.insertAuditRecord(record(1, '2024-01-01T00:00:00.000Z')));
      await assert.rejects(store.transaction(async (tx) => {
        await tx.insertAuditRecord(record(2, '2024-01-02T00:00:00.000Z'));
        throw new Error('the change failed');
      }));
      for (let n = 3; n < 8; n += 1) await store.insertAuditRecord(record(n, `2024-01-0${n}T00:00:00.000Z`));
      const ids = async () => (await store.listAuditRecords(CONTRACT, { offset: 0, limit: 100 })).items.map((r) => r.requestId);
      assert.deepEqual(await ids(), ['r1', 'r3', 'r4', 'r5', 'r6', 'r7']);
      assert.equal(await store.deleteAuditRecordsBefore('2024-01-06T00:00:00.000Z', 2), 2);
      assert.deepEqual(await ids(), ['r4', 'r5', 'r6', 'r7']);
      assert.equal(await store.deleteAuditRecordsBefore('2024-01-06T00:00:00.000Z', 2), 2);
      assert.equal(await store.deleteAuditRecordsBefore('2024-01-06T00:00:00.000Z', 2), 0);
      assert.deepEqual(await ids(), ['r6', 'r7']);
    });

    test('a child\'s unique key is unique per gateway, not across gateways', async () => {
      await insert(gateway(1), gateway(2), child(10, id(1), { uniqueKey: 'same' }));
      await assert.rejects(insert(child(11, id(1), { uniqueKey: 'same' })));
      await insert(child(12, id(2), { uniqueKey: 'same' }));
      await insert(child(13, id(1), { uniqueKey: null }), child(14, id(1), { uniqueKey: null }));
      assert.equal((await store.listAllChildren(id(1))).length, 3);
    });

    test('recordApplyOutcome records the current generation and ignores stale ones', async () => {
      await insert(gateway(1, { generation: 3, appliedGeneration: 1 }));
      assert.equal(await store.recordApplyOutcome(id(1), 2, { status: 'AVAILABLE', message: null }), false, 'stale generation');
      let g = await store.findGatewayAnywhere(id(1));
      assert.equal(g?.status, 'PROVISIONING');
      assert.equal(g?.appliedGeneration, 1);

      assert.equal(await store.recordApplyOutcome(id(1), 3, { status: 'FAILED', message: 'port in use' }), true);
      g = await store.findGatewayAnywhere(id(1));
      assert.deepEqual([g?.status, g?.statusMessage, g?.appliedGeneration], ['FAILED', 'port in use', 3]);

      assert.equal(await store.recordApplyOutcome(id(1), 3, { status: 'AVAILABLE', message: null }), true);
      g = await store.findGatewayAnywhere(id(1));
      assert.deepEqual([g?.status, g?.statusMessage], ['AVAILABLE', null]);
      assert.equal(await store.recordApplyOutcome(id(404), 1, { status: 'AVAILABLE', message: null }), false, 'unknown gateway');
    });

    test('recordApplyOutcome leaves a gateway that is being deleted alone', async () => {
      await insert(gateway(1, { generation: 2, deleting: true, status: 'DESTROYING' }));
      assert.equal(await store.recordApplyOutcome(id(1), 2, { status: 'AVAILABLE', message: null }), false);
      assert.equal((await store.findGatewayAnywhere(id(1)))?.status, 'DESTROYING');
    });

    test('listGateways pages in creation order, then id, with the total of the contract and kind only', async () => {
      const dates = ['2024-03-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'];
      const mine = [5, 3, 4, 1, 2].map((n, i) => gateway(n, { created: stamp(dates[i] ?? '') }));
      await insert(
        ...mine,
        gateway(6, { kind: 'ipsec', secret: null, publicKey: null }),
        gateway(7, { contractNumber: OTHER_CONTRACT }),
      );
      // 2024-01-01: ids 1, 2, 3 → then 2024-02-01: 4 → then 2024-03-01: 5
      const all = await store.listGateways(CONTRACT, 'wireguard', { offset: 0, limit: 100 });
      assert.equal(all.total, 5);
      assert.deepEqual(all.items.map((g) => g.id), [1, 2, 3, 4, 5].map(id));
      const page = await store.listGateways(CONTRACT, 'wireguard', { offset: 2, limit: 2 });
      assert.equal(page.total, 5);
      assert.deepEqual(page.items.map((g) => g.id), [id(3), id(4)]);
      const beyond = await store.listGateways(CONTRACT, 'wireguard', { offset: 10, limit: 2 });
      assert.deepEqual([beyond.items, beyond.total], [[], 5]);
      const ipsec = await store.listGateways(CONTRACT, 'ipsec' as GatewayKind, { offset: 0, limit: 100 });
      assert.deepEqual(ipsec.items.map((g) => g.id), [id(6)]);
      assert.equal((await store.listAllGateways()).length, 7);
    });

    test('listChildren pages by gateway and kind; countChildren counts by kind', async () => {
      const g = gateway(1);
      await insert(g, gateway(2), ...[10, 11, 12].map((n) => child(n, g.id)), child(13, g.id, { kind: 'tunnel', uniqueKey: null }), child(14, id(2)));
      const page = await store.listChildren(g.id, 'peer', { offset: 1, limit: 1 });
      assert.equal(page.total, 3);
      assert.deepEqual(page.items.map((c) => c.id), [id(11)]);
      const count = (kind: ChildKind) => store.transaction((tx) => tx.countChildren(g.id, kind));
      assert.equal(await count('peer'), 3);
      assert.equal(await count('tunnel'), 1);
    });

    test('deleteGateway removes the gateway with its children', async () => {
      await insert(gateway(1), child(2, id(1)), gateway(3), child(4, id(3)));
      await store.transaction((tx) => tx.deleteGateway(id(1)));
      assert.equal(await store.findGatewayAnywhere(id(1)), undefined);
      assert.equal(await store.findChildAnywhere(id(2)), undefined);
      assert.ok(await store.findChildAnywhere(id(4)), 'other gateways keep theirs');
    });

    test('purgeDeletedGateway deletes only gateways marked as deleting', async () => {
      await insert(gateway(1), child(2, id(1)), gateway(3, { deleting: true, status: 'DESTROYING' }), child(4, id(3)));
      await store.purgeDeletedGateway(id(1));
      assert.ok(await store.findGatewayAnywhere(id(1)), 'a live gateway survives a purge');
      assert.ok(await store.findChildAnywhere(id(2)));
      await store.purgeDeletedGateway(id(3));
      assert.equal(await store.findGatewayAnywhere(id(3)), undefined);
      assert.equal(await store.findChildAnywhere(id(4)), undefined);
      await store.purgeDeletedGateway(id(404));
    });

    test('listGatewaysWithPendingChanges: unapplied generations and deletions', async () => {
      await insert(gateway(1), gateway(2, { generation: 2, appliedGeneration: 2, status: 'AVAILABLE' }), gateway(3, { deleting: true, generation: 4, appliedGeneration: 4 }));
      assert.deepEqual((await store.listGatewaysWithPendingChanges()).map((g) => g.id), [id(1), id(3)]);
      await store.recordApplyOutcome(id(1), 1, { status: 'AVAILABLE', message: null });
      assert.deepEqual((await store.listGatewaysWithPendingChanges()).map((g) => g.id), [id(3)]);
    });

    test('concurrent read-modify-write transactions under lockGateway keep a limit of 20', async () => {
      await insert(gateway(1));
      const attempt = (n: number) => store.transaction(async (tx) => {
        await tx.lockGateway(id(1));
        if ((await tx.countChildren(id(1), 'peer')) >= 20) return false;
        await new Promise((resolve) => setImmediate(resolve));
        await tx.insertChild(child(100 + n, id(1)));
        return true;
      });
      const results = await Promise.all(Array.from({ length: 25 }, (_, n) => attempt(n)));
      assert.equal(results.filter(Boolean).length, 20);
      assert.equal((await store.listAllChildren(id(1))).length, 20);
    });

    describeDatacenterContract(() => store);
  });
}

/** Datacenters and LANs: ownership by contract, claims that race, LAN bindings. */
function describeDatacenterContract(current: () => Store): void {
  const pageAll = { offset: 0, limit: 100 };

  test('a datacenter and a LAN read back exactly as written; ids match whatever their letter case', async () => {
    const store = current();
    const d = datacenter(500, { declared: true });
    const l = lan(500, '2', { hostInterface: 'eth1' });
    await store.transaction(async (tx) => { await tx.insertDatacenter(d); await tx.upsertLan(l); });
    assert.deepEqual(await store.findDatacenter(d.id.toUpperCase()), d);
    assert.deepEqual(await store.findLan(d.id.toUpperCase(), '2'), l);
    assert.equal(await store.findDatacenter(id(404)), undefined);
    assert.equal(await store.findLan(d.id, '3'), undefined);
  });

  test('listDatacenters pages one contract\'s datacenters; listAllDatacenters shows every contract\'s', async () => {
    const store = current();
    await store.transaction(async (tx) => {
      for (const n of [503, 501, 502]) await tx.insertDatacenter(datacenter(n));
      await tx.insertDatacenter(datacenter(504, { contractNumber: OTHER_CONTRACT }));
    });
    const page = await store.listDatacenters(CONTRACT, { offset: 1, limit: 1 });
    assert.deepEqual([page.items.map((d) => d.id), page.total], [[id(502)], 3]);
    assert.deepEqual((await store.listDatacenters(OTHER_CONTRACT, pageAll)).items.map((d) => d.id), [id(504)]);
    assert.deepEqual((await store.listAllDatacenters()).map((d) => d.id), [id(501), id(502), id(503), id(504)]);
  });

  test('a datacenter names an existing contract; inserting one twice is a ConcurrentChange', async () => {
    const store = current();
    await assert.rejects(store.transaction((tx) => tx.insertDatacenter(datacenter(500, { contractNumber: 99 }))));
    await store.transaction((tx) => tx.insertDatacenter(datacenter(500)));
    await assert.rejects(store.transaction((tx) => tx.insertDatacenter(datacenter(500, { contractNumber: OTHER_CONTRACT }))), ConcurrentChange);
    assert.equal((await store.findDatacenter(id(500)))?.contractNumber, CONTRACT);
  });

  test('claimDatacenter inserts an unknown datacenter and answers the owner of a known one, unchanged', async () => {
    const store = current();
    const claimed = await store.transaction((tx) => tx.claimDatacenter(datacenter(500, { id: id(500).toUpperCase() })));
    assert.deepEqual(claimed, datacenter(500));
    const again = await store.transaction((tx) => tx.claimDatacenter(datacenter(500, { contractNumber: OTHER_CONTRACT, name: 'theirs' })));
    assert.deepEqual(again, datacenter(500), 'the first owner stays');
  });

  test('two contracts claiming one datacenter in concurrent transactions both see the one owner', async () => {
    const store = current();
    for (let round = 0; round < 5; round += 1) {
      const n = 600 + round;
      const claim = (contractNumber: number) => store.transaction(async (tx) => {
        const owner = await tx.claimDatacenter(datacenter(n, { contractNumber }));
        await new Promise((resolve) => setImmediate(resolve));
        return owner.contractNumber;
      });
      const owners = await Promise.all([claim(CONTRACT), claim(OTHER_CONTRACT)]);
      assert.equal(owners[0], owners[1], `round ${round}`);
      assert.equal((await store.findDatacenter(id(n)))?.contractNumber, owners[0]);
    }
  });

  test('LANs: insertLanIfAbsent keeps an existing binding, upsertLan replaces name and binding, updateLan unbinds', async () => {
    const store = current();
    await store.transaction(async (tx) => {
      await tx.insertDatacenter(datacenter(500));
      await tx.upsertLan(lan(500, '2', { hostInterface: 'eth1' }));
      await tx.insertLanIfAbsent(lan(500, '2', { name: 'other' }));
      await tx.insertLanIfAbsent(lan(500, '3'));
    });
    assert.deepEqual(await store.findLan(id(500), '2'), lan(500, '2', { hostInterface: 'eth1' }));
    assert.deepEqual(await store.findLan(id(500), '3'), lan(500, '3'));
    const rebound = lan(500, '2', { name: 'office', hostInterface: 'eth2', createdDate: '2030-01-01T00:00:00.000Z', lastModifiedDate: '2024-02-01T00:00:00.000Z' });
    await store.transaction((tx) => tx.upsertLan(rebound));
    assert.deepEqual(await store.findLan(id(500), '2'), { ...rebound, createdDate: '2024-01-04T00:00:00.000Z' }, 'created stays, the rest is replaced');
    await store.transaction((tx) => tx.updateLan({ ...rebound, hostInterface: null }));
    assert.equal((await store.findLan(id(500), '2'))?.hostInterface, null);
  });

  test('listLans pages in numeric LAN order; listLanBindings lists only bound LANs; one interface is one LAN', async () => {
    const store = current();
    await store.transaction(async (tx) => {
      await tx.insertDatacenter(datacenter(500));
      await tx.insertDatacenter(datacenter(501, { contractNumber: OTHER_CONTRACT }));
      for (const lanId of ['10', '2', '1']) await tx.insertLanIfAbsent(lan(500, lanId));
      await tx.upsertLan(lan(500, '2', { hostInterface: 'eth2' }));
      await tx.upsertLan(lan(501, '1', { hostInterface: 'eth3' }));
    });
    const lans = await store.listLans(id(500), pageAll);
    assert.deepEqual([lans.items.map((l) => l.lanId), lans.total], [['1', '2', '10'], 3]);
    assert.deepEqual((await store.listLans(id(500), { offset: 2, limit: 5 })).items.map((l) => l.lanId), ['10']);
    assert.deepEqual((await store.listLanBindings()).map((l) => [l.datacenterId, l.lanId, l.hostInterface]), [[id(500), '2', 'eth2'], [id(501), '1', 'eth3']]);
    assert.equal((await store.listAllLans()).length, 4);
    await assert.rejects(store.transaction((tx) => tx.upsertLan(lan(500, '10', { hostInterface: 'eth3' }))), ConcurrentChange);
    await assert.rejects(store.transaction((tx) => tx.insertLanIfAbsent(lan(404, '1'))), 'a LAN needs its datacenter');
  });
}
