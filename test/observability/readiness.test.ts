import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReconcilerHealth } from '../../src/agent/reconciler.ts';
import { evaluateReadiness, reconcilerStaleAfterMs, type ReadinessInputs } from '../../src/observability/readiness.ts';
import { ReadinessProbe } from '../../src/observability/readiness-probe.ts';

const NOW = 1_800_000_000_000;
const healthy: ReconcilerHealth = { running: true, lastProgressAt: NOW - 1000, passCompleted: true, dataPlaneProblems: [] };
const inputs = (over: Partial<ReadinessInputs> = {}): ReadinessInputs => ({
  store: 'ok', storeTimeoutMs: 2000, reconciler: healthy, staleAfterMs: reconcilerStaleAfterMs(10_000), now: NOW, ...over,
});

describe('readiness evaluation', () => {
  test('ready when the store answered, the last pass is recent and the data plane lacks nothing', () => {
    assert.deepEqual(evaluateReadiness(inputs()), { ready: true, checks: { store: 'ok', reconciler: 'ok', dataPlane: 'ok' }, failures: [] });
  });

  test('each failed check is named in its own message', () => {
    const report = evaluateReadiness(inputs({
      store: 'unreachable',
      reconciler: { ...healthy, lastProgressAt: NOW - 95_000, dataPlaneProblems: ['wireguard-go (Debian package wireguard-go) missing'] },
      staleAfterMs: 60_000,
    }));
    assert.equal(report.ready, false);
    assert.deepEqual(report.failures, [
      'store: not reachable',
      'reconciler: last pass completed 95 s ago',
      'data plane: wireguard-go (Debian package wireguard-go) missing',
    ]);
    assert.deepEqual(report.checks, { store: 'not reachable', reconciler: 'last pass completed 95 s ago', dataPlane: 'wireguard-go (Debian package wireguard-go) missing' });
  });

  test('a store that does not answer in time, a stopped reconciler, one that never completed a pass', () => {
    assert.deepEqual(evaluateReadiness(inputs({ store: 'timeout' })).failures, ['store: no answer within 2 s']);
    assert.deepEqual(evaluateReadiness(inputs({ reconciler: { ...healthy, running: false } })).failures, ['reconciler: not running']);
    const neverCompleted = { ...healthy, passCompleted: false, lastProgressAt: NOW - 70_000 };
    assert.deepEqual(evaluateReadiness(inputs({ reconciler: neverCompleted })).failures, ['reconciler: no pass completed in the 70 s since it started']);
  });

  test('a pass is stale after three intervals and thirty seconds of slack, not before', () => {
    const staleAfterMs = reconcilerStaleAfterMs(10_000);
    assert.equal(staleAfterMs, 60_000);
    assert.equal(evaluateReadiness(inputs({ reconciler: { ...healthy, lastProgressAt: NOW - staleAfterMs } })).ready, true);
    assert.equal(evaluateReadiness(inputs({ reconciler: { ...healthy, lastProgressAt: NOW - staleAfterMs - 1 } })).ready, false);
  });
});

describe('readiness probe', () => {
  const reconciler = { health: () => healthy };

  test('a store query that hangs counts as failed after the bound', async () => {
    const hangingStore = { ping: () => new Promise<void>(() => undefined) };
    const probe = new ReadinessProbe({ store: hangingStore, reconciler, reconcileIntervalMs: 10_000, storeTimeoutMs: 50, now: () => NOW });
    const started = performance.now();
    const answer = await probe.check();
    assert.ok(performance.now() - started < 1000);
    assert.deepEqual(answer.failures, ['store: no answer within 0.05 s']);
  });

  test('a store query that fails is "not reachable"; once shutting down, nothing is checked', async () => {
    let pings = 0;
    const failingStore = { ping: async () => { pings += 1; throw new Error('ECONNREFUSED'); } };
    const probe = new ReadinessProbe({ store: failingStore, reconciler, reconcileIntervalMs: 10_000, now: () => NOW });
    assert.deepEqual((await probe.check()).failures, ['store: not reachable']);
    probe.shuttingDown();
    assert.deepEqual(await probe.check(), { ready: false, shuttingDown: true, failures: ['shutting down'] });
    assert.equal(pings, 1);
  });
});
