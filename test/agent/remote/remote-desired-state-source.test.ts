import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Reconciler } from '../../../src/agent/reconciler.ts';
import { RemoteDesiredStateSource } from '../../../src/agent/remote/remote-desired-state-source.ts';
import type { DesiredGateway } from '../../../src/domain/desired-state.ts';
import { FakeDriver } from '../../support/fake-driver.ts';

const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const gateway = (n: number, generation = 1): DesiredGateway => ({
  kind: 'wireguard', id: ID(n), generation, gatewayIP: `192.0.2.${n}`, listenPort: 51820, privateKey: 'k', connections: [], peers: [],
});

function setup() {
  const source = new RemoteDesiredStateSource();
  const driver = new FakeDriver();
  const reconciler = new Reconciler({ source, driver, logger: pino({ level: 'silent' }), intervalMs: 60_000 });
  return { source, driver, reconciler };
}

test('a full snapshot is applied whole, removes what it no longer holds, and each outcome is reported once while unchanged', async () => {
  const { source, driver, reconciler } = setup();
  driver.applied.set(ID(9), gateway(9)); // left from before a restart
  source.replaceAll([gateway(1), gateway(2)]);
  driver.failures.set(ID(2), 'no such interface');
  assert.deepEqual(await reconciler.runPass({ full: true }), { applied: 1, failed: 1, removed: 1 });
  assert.deepEqual([...driver.applied.keys()].sort(), [ID(1)]);
  const reports = source.pendingReports();
  assert.deepEqual(reports.map((r) => [r.id, r.generation, r.status, r.message]), [[ID(1), 1, 'AVAILABLE', undefined], [ID(2), 1, 'FAILED', 'no such interface']]);
  source.reportsDelivered(reports);
  await reconciler.runPass({ full: true });
  assert.deepEqual(source.pendingReports(), [], 'an unchanged outcome is not reported again');
  driver.failures.delete(ID(2));
  await reconciler.runPass({ full: true });
  assert.deepEqual(source.pendingReports().map((r) => [r.id, r.status]), [[ID(2), 'AVAILABLE']]);
});

test('a changed answer converges only what changed and removes what left', async () => {
  const { source, driver, reconciler } = setup();
  source.replaceAll([gateway(1), gateway(2)]);
  await reconciler.runPass({ full: true });
  source.reportsDelivered(source.pendingReports());
  source.applyChanges([gateway(1, 2)], [ID(2)], new Map());
  assert.equal(source.hasChanges, true);
  assert.deepEqual(await reconciler.runPass({ full: false }), { applied: 1, failed: 0, removed: 1 });
  assert.equal(source.hasChanges, false);
  assert.deepEqual([...driver.applied.keys()], [ID(1)]);
  assert.equal(driver.applied.get(ID(1))?.generation, 2);
  assert.deepEqual(source.pendingReports().map((r) => [r.id, r.generation]), [[ID(1), 2]]);
});

test('a removed gateway the snapshot never held is removed by the kind its data plane shows', async () => {
  const { source, driver, reconciler } = setup();
  driver.applied.set(ID(3), gateway(3));
  source.applyChanges([], [ID(3)], new Map([[ID(3), 'wireguard']]));
  assert.equal((await reconciler.runPass({ full: false })).removed, 1);
  assert.equal(driver.applied.size, 0);
});
