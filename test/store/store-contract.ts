import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { GatewayKind } from '../../src/domain/desired-state.ts';
import type { ChildKind, ChildRecord, GatewayRecord, Store } from '../../src/store/store.ts';

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
  });
}
