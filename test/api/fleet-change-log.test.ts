import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrollHost } from '../support/fleet-hosts.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { startTestService } from '../support/test-service.ts';

test('the fleet change log is trimmed to its latest revisions; a watch resuming from before them gets a snapshot, one after them the changes', async () => {
  const svc = await startTestService({ env: { VPNGW_DRIVER: 'none' } });
  try {
    const gatewayIP = wireguardGateway().properties.gatewayIP;
    const { agent } = await enrollHost(svc, 'edge-1', [gatewayIP]);
    const first = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    const old = (await svc.request('GET', '/agent/v1/desired', undefined, agent)).body.revision as number;
    const ids = [first.body.id as string];
    for (let i = 0; i < 3; i++) {
      const created = await svc.request('POST', '/wireguardgateways', { properties: { ...wireguardGateway().properties, name: `gw-${i}` } });
      assert.equal(created.status, 201, created.text);
      ids.push(created.body.id as string);
    }
    const recent = (await svc.request('GET', `/agent/v1/desired?since=${old}`, undefined, agent)).body;
    assert.equal(recent.full, false);
    assert.equal(recent.gateways.length, 3, 'the three created after the cursor');

    assert.ok(await svc.hosts.trimChanges(1) > 0, 'entries older than the last revision are deleted');
    assert.equal(await svc.hosts.trimChanges(1), 0, 'nothing more to trim');
    const behind = (await svc.request('GET', `/agent/v1/desired?since=${old}`, undefined, agent)).body;
    assert.equal(behind.full, true, 'changes after the cursor are gone: a snapshot');
    assert.deepEqual(behind.gateways.map((g: { id: string }) => g.id).sort(), [...ids].sort());

    const now = (await svc.request('GET', '/agent/v1/desired', undefined, agent)).body.revision as number;
    const deleted = await svc.request('DELETE', `/wireguardgateways/${ids[0] as string}`);
    assert.equal(deleted.status, 202);
    const incremental = (await svc.request('GET', `/agent/v1/desired?since=${now}`, undefined, agent)).body;
    assert.equal(incremental.full, false, 'a cursor at or after the horizon resumes');
    assert.deepEqual(incremental.removed, [ids[0]]);
  } finally {
    await svc.stop();
  }
});

test('an inventory heartbeat that changes nothing does not answer a waiting watch; one that moves a gateway answers it at once', async () => {
  const svc = await startTestService({ env: { VPNGW_DRIVER: 'none' } });
  try {
    const gatewayIP = wireguardGateway().properties.gatewayIP;
    const { agent } = await enrollHost(svc, 'edge-1', [gatewayIP]);
    const inventory = { addresses: [gatewayIP], delegatedBlocks: [], lans: [], version: '0.1.0' };
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    const revision = (await svc.request('GET', '/agent/v1/desired', undefined, agent)).body.revision as number;
    let answeredAt = 0;
    const watch = svc.request('GET', `/agent/v1/desired?since=${revision}&wait=3`, undefined, agent).then((answer) => { answeredAt = Date.now(); return answer; });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    for (let i = 0; i < 5; i++) assert.equal((await svc.request('PUT', '/agent/v1/inventory', inventory, agent)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(answeredAt, 0, 'five unchanged heartbeats answered the watch');
    assert.equal((await svc.request('PUT', '/agent/v1/inventory', { ...inventory, addresses: [] }, agent)).status, 200);
    const answer = await watch;
    assert.ok(answeredAt - started < 2000, `the watch answered ${answeredAt - started} ms after the heartbeats began`);
    assert.deepEqual(answer.body.removed, [created.body.id], 'the gateway left the host with its address');
  } finally {
    await svc.stop();
  }
});
