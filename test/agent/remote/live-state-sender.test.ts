import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { LIVE_STATE_LIMITS } from '../../../src/agent/live-state-report.ts';
import { hasLiveState, LiveStateSender } from '../../../src/agent/remote/live-state-sender.ts';
import { FakeDriver } from '../../support/fake-driver.ts';
import { FakeLiveDriver } from '../../support/fake-live-driver.ts';

/** Records each PUT; fails while `failing` is set. */
class FakeClient {
  readonly sent: Array<Array<{ id: string; state: Record<string, unknown> }>> = [];
  failing = false;

  async request(method: string, path: string, options: { body?: unknown }) {
    assert.equal(`${method} ${path}`, 'PUT /agent/v1/live-state');
    if (this.failing) throw new Error('server unavailable');
    this.sent.push((options.body as { gateways: Array<{ id: string; state: Record<string, unknown> }> }).gateways);
    return { accepted: 0, gateways: [] };
  }

  ids(request: number) {
    return (this.sent[request] ?? []).map((g) => g.id).sort();
  }
}

function setup(placed: string[]) {
  const driver = new FakeLiveDriver();
  const client = new FakeClient();
  const placedIds = new Set(placed);
  const sender = new LiveStateSender({ driver, client, logger: pino({ level: 'silent' }), placed: () => placedIds, now: () => new Date('2026-01-02T03:04:05.000Z') });
  return { driver, client, sender, placedIds, signal: new AbortController().signal };
}

describe('the agent\'s live-state sender', () => {
  test('sends only what changed since the last send that succeeded, and everything again after a failure or forgetDelivered()', async () => {
    const { driver, client, sender, signal } = setup(['a', 'b']);
    driver.run('a', 1);
    driver.run('b', 1);
    assert.equal(await sender.send(signal), 2);
    assert.deepEqual(client.ids(0), ['a', 'b']);
    assert.equal(client.sent[0]?.[0]?.state.namespace, undefined, 'the host-internal namespace is not sent');

    assert.equal(await sender.send(signal), 0, 'nothing changed: nothing sent');
    assert.equal(client.sent.length, 1);

    driver.run('b', 2);
    assert.equal(await sender.send(signal), 1);
    assert.deepEqual(client.ids(1), ['b']);

    driver.run('a', 3);
    client.failing = true;
    await assert.rejects(sender.send(signal), /server unavailable/);
    client.failing = false;
    assert.equal(await sender.send(signal), 2, 'after a failed send, everything is sent again');
    assert.deepEqual(client.ids(2), ['a', 'b']);

    sender.forgetDelivered();
    assert.equal(await sender.send(signal), 2, 'after a new snapshot, everything is sent again');
  });

  test('sends only gateways placed here and applied, leaves out one it cannot observe, and narrows to `only` when given', async () => {
    const { driver, client, sender, signal } = setup(['a', 'b', 'not-applied']);
    driver.run('a', 1);
    driver.run('b', 1);
    driver.run('elsewhere', 1);
    driver.unobservable.add('b');
    await sender.send(signal);
    assert.deepEqual(client.ids(0), ['a']);
    driver.unobservable.clear();
    await sender.send(signal, new Set(['b']));
    assert.deepEqual(client.ids(1), ['b']);
  });

  test('cuts requests at the per-request limit and peers at the API\'s limit', async () => {
    const ids = Array.from({ length: LIVE_STATE_LIMITS.gatewaysPerRequest + 5 }, (_, i) => `g${String(i).padStart(3, '0')}`);
    const { driver, client, sender, signal } = setup(ids);
    for (const id of ids) driver.run(id, 1, 25);
    assert.equal(await sender.send(signal), ids.length);
    assert.deepEqual(client.sent.map((r) => r.length), [LIVE_STATE_LIMITS.gatewaysPerRequest, 5]);
    assert.equal((client.sent[0]?.[0]?.state.peers as unknown[]).length, LIVE_STATE_LIMITS.peersPerGateway);
  });

  test('a driver without live state (files) has none to send', () => {
    assert.equal(hasLiveState(new FakeDriver()), false);
    assert.equal(hasLiveState(new FakeLiveDriver()), true);
  });
});
