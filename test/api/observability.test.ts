import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewayLiveState, GatewayRef, LiveStateSource } from '../../src/agent/driver.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { GATEWAY_PRIVATE_KEY, PEER_PUBLIC_KEY, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';

/** A fake data plane that also reports live sessions, as the linux driver does. */
class LiveFakeDriver extends FakeDriver implements LiveStateSource {
  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    const desired = this.applied.get(ref.id);
    const peers = desired?.kind === 'wireguard' ? desired.peers : [];
    return {
      kind: 'wireguard', namespace: `vgw-${ref.id}`, interfaceName: 'vgtest', present: desired !== undefined, listenPort: 51820, lans: [],
      peers: peers.map((p) => ({ publicKey: p.publicKey, endpoint: null, latestHandshake: '2026-01-02T03:04:05.000Z', transferRxBytes: 1234, transferTxBytes: 5678 })),
    };
  }
}

async function scrape(svc: TestService): Promise<string> {
  const res = await svc.request('GET', '/metrics', undefined, { authorization: '' });
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return res.text;
}

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

async function availableGatewayWithPeer(svc: TestService) {
  const gateway = await svc.request('POST', '/wireguardgateways', wireguardGateway());
  const peer = await svc.request('POST', `/wireguardgateways/${gateway.body.id}/peers`, wireguardPeer());
  await eventually(async () => (await svc.request('GET', `/wireguardgateways/${gateway.body.id}`)).body.metadata.status === 'AVAILABLE', 5000, 'AVAILABLE');
  return { gatewayId: gateway.body.id as string, peerId: peer.body.id as string };
}

test('GET /metrics: HTTP series by route pattern, reconcile passes, resources by kind and status, live peer state', async () => {
  const svc = await startTestService({ driver: new LiveFakeDriver() });
  try {
    const { gatewayId, peerId } = await availableGatewayWithPeer(svc);
    const text = await scrape(svc);
    assert.ok((sample(text, 'vpngw_http_requests_total{method="GET",route="/wireguardgateways/:gatewayId",status_code="200"}') ?? 0) >= 1);
    assert.ok(!text.includes(`route="/wireguardgateways/${gatewayId}`), 'raw URLs never become labels');
    assert.match(text, /^vpngw_http_request_duration_seconds_count\{method="POST",route="\/wireguardgateways",status_code="201"\} 1$/m);
    assert.match(text, /^vpngw_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/wireguardgateways",status_code="201"\} 1$/m);
    assert.ok((sample(text, 'vpngw_reconcile_passes_total{mode="full",outcome="ok"}') ?? 0) >= 1);
    assert.match(text, /^vpngw_reconcile_pass_duration_seconds_count\{mode="(full|changes)"\} \d+$/m);
    assert.equal(sample(text, 'vpngw_resources{kind="wireguardgateway",status="AVAILABLE"}'), 1);
    assert.equal(sample(text, 'vpngw_resources{kind="wireguardpeer",status="AVAILABLE"}'), 1);
    assert.equal(sample(text, 'vpngw_resources{kind="ipsectunnel",status="FAILED"}'), 0);
    const peer = `gateway_id="${gatewayId}",peer_id="${peerId}"`;
    assert.equal(sample(text, `vpngw_wireguard_peer_last_handshake_timestamp_seconds{${peer}}`), Date.parse('2026-01-02T03:04:05Z') / 1000);
    assert.equal(sample(text, `vpngw_wireguard_peer_receive_bytes{${peer}}`), 1234);
    assert.equal(sample(text, `vpngw_wireguard_peer_transmit_bytes{${peer}}`), 5678);
    assert.equal(sample(text, `vpngw_wireguard_interface_up{gateway_id="${gatewayId}"}`), 1);
    assert.ok(!text.includes(GATEWAY_PRIVATE_KEY) && !text.includes(PEER_PUBLIC_KEY));
  } finally {
    await svc.stop();
  }
});

test('a failed apply shows in the resource gauge and the reconcile counters', async () => {
  const driver = new FakeDriver();
  const svc = await startTestService({ driver });
  try {
    const gateway = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    driver.failures.set(gateway.body.id, 'no such device');
    svc.reconciler.nudge({ full: true });
    await eventually(async () => (await svc.request('GET', `/wireguardgateways/${gateway.body.id}`)).body.metadata.status === 'FAILED', 5000, 'FAILED');
    const text = await scrape(svc);
    assert.equal(sample(text, 'vpngw_resources{kind="wireguardgateway",status="FAILED"}'), 1);
    assert.ok((sample(text, 'vpngw_reconcile_gateways_total{result="failed"}') ?? 0) >= 1);
  } finally {
    await svc.stop();
  }
});

test('/healthz answers while the process serves; /readyz turns 503 when the reconciler stops', async () => {
  const svc = await startTestService();
  try {
    assert.equal((await svc.request('GET', '/healthz', undefined, { authorization: '' })).status, 200);
    assert.equal((await svc.request('GET', '/readyz', undefined, { authorization: '' })).status, 200);
    await svc.reconciler.stop();
    const notReady = await svc.request('GET', '/readyz', undefined, { authorization: '' });
    assert.equal(notReady.status, 503);
    assert.equal(notReady.body.messages[0].errorCode, 'NOT_READY');
  } finally {
    await svc.stop();
  }
});

test('every log line of a request carries its id, which is returned in X-Request-Id; secrets are redacted', async () => {
  const svc = await startTestService();
  try {
    const given = await svc.request('GET', '/wireguardgateways', undefined, { 'x-request-id': 'trace-abc-123' });
    assert.equal(given.headers['x-request-id'], 'trace-abc-123');
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    const id = String(created.headers['x-request-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    const failed = await svc.request('GET', '/wireguardgateways/not-a-uuid');
    const lines = svc.logs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const requestId of [id, 'trace-abc-123', String(failed.headers['x-request-id'])]) {
      const own = lines.filter((l) => l.reqId === requestId);
      assert.ok(own.some((l) => l.msg === 'incoming request') && own.some((l) => l.msg === 'request completed'), `log lines for ${requestId}`);
    }
    const requestLines = lines.filter((l) => l.req !== undefined || l.res !== undefined || l.responseTime !== undefined);
    assert.ok(requestLines.length >= 6);
    assert.ok(requestLines.every((l) => typeof l.reqId === 'string' && l.reqId.length > 0), 'no request log line without reqId');
    assert.ok(!svc.logs.join('').includes(GATEWAY_PRIVATE_KEY), 'the private key is never logged');
  } finally {
    await svc.stop();
  }
});

test('with VPNGW_METRICS_TOKEN set, /metrics answers only to that Bearer token', async () => {
  const svc = await startTestService({ env: { VPNGW_METRICS_TOKEN: 'scrape-secret-123' } });
  try {
    const anonymous = await svc.request('GET', '/metrics', undefined, { authorization: '' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.httpStatus, 401);
    assert.equal((await svc.request('GET', '/metrics', undefined, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await svc.request('GET', '/metrics', undefined, { authorization: 'Bearer scrape-secret-123' })).status, 200);
  } finally {
    await svc.stop();
  }
});

test('scrapes ask the data plane at most once per refresh interval, however many arrive together', async () => {
  let asked = 0;
  class CountingDriver extends LiveFakeDriver {
    override async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
      asked += 1;
      await new Promise((r) => setTimeout(r, 50));
      return super.liveState(ref);
    }
  }
  const svc = await startTestService({ driver: new CountingDriver() });
  try {
    await availableGatewayWithPeer(svc);
    const texts = await Promise.all(Array.from({ length: 10 }, () => scrape(svc)));
    assert.equal(asked, 1, 'one gateway, one question, for ten simultaneous scrapes');
    for (const text of texts) assert.match(text, /^vpngw_wireguard_peer_receive_bytes\{.*\} 1234$/m);
    await scrape(svc);
    assert.equal(asked, 1, 'a scrape right after reuses the fresh answer');
  } finally {
    await svc.stop();
  }
});
