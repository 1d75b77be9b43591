import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { ipsecGateway, ipsecTunnel, PEER_PUBLIC_KEY, peerKey, PSK, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { basicAuth, eventually, startTestService, type TestService } from '../support/test-service.ts';

const B_ADMIN = { email: 'live-b@example.org', password: 'live-b-password' };
const HEARTBEAT_TIMEOUT_MS = 60_000;

const wgState = (overrides: Record<string, unknown> = {}) => ({
  kind: 'wireguard', interfaceName: 'wg-0123456789', present: true, listenPort: 51820, lans: [],
  peers: [{ publicKey: PEER_PUBLIC_KEY, endpoint: '198.51.100.7:41000', latestHandshake: '2026-01-02T03:04:05.000Z', transferRxBytes: 1234, transferTxBytes: 5678 }],
  ...overrides,
});

/**
 * A fleet's live state (vpngw serve --driver none): agents send it with PUT /agent/v1/live-state, the
 * tenants' /status and /metrics serve it from the store. Over inject, on the engine under test.
 */
describe('fleet live state: PUT /agent/v1/live-state, /status and /metrics', () => {
  let svc: TestService;
  let clockOffsetMs = 0;
  let tenantB: string;
  let hostA: string;
  let hostB: string;
  let wgOnA: string;
  let peerId: string;
  let ipsecOnB: string;
  let tunnelId: string;

  const agent = (auth: string) => ({ authorization: auth });
  const put = (auth: string, gateways: unknown[]) => svc.request('PUT', '/agent/v1/live-state', { gateways }, agent(auth));
  const at = (ms: number) => new Date(Date.parse('2026-01-02T03:04:00.000Z') + ms).toISOString();

  async function enroll(name: string, addresses: string[]): Promise<string> {
    const token = (await svc.request('POST', '/fleet/v1/enrollment-tokens', {})).body.token as string;
    const enrolled = await svc.request('POST', '/agent/v1/enroll', { token, name, version: '0.1.0' }, { authorization: '' });
    assert.equal(enrolled.status, 201, enrolled.text);
    const auth = `Bearer ${enrolled.body.credential as string}`;
    const inventory = await svc.request('PUT', '/agent/v1/inventory', { addresses, delegatedBlocks: [], lans: [], version: '0.1.0' }, agent(auth));
    assert.equal(inventory.status, 200, inventory.text);
    return auth;
  }

  before(async () => {
    svc = await startTestService({
      env: { VPNGW_DRIVER: 'none', VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS) },
      now: () => new Date(Date.now() + clockOffsetMs),
    });
    await svc.auth.createContract(B_ADMIN.email, B_ADMIN.password);
    tenantB = basicAuth(B_ADMIN.email, B_ADMIN.password);
    hostA = await enroll('live-host-a', [wireguardGateway().properties.gatewayIP]);
    hostB = await enroll('live-host-b', [ipsecGateway().properties.gatewayIP]);
    wgOnA = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    peerId = (await svc.request('POST', `/wireguardgateways/${wgOnA}/peers`, wireguardPeer())).body.id;
    ipsecOnB = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    tunnelId = (await svc.request('POST', `/ipsecgateways/${ipsecOnB}/tunnels`, ipsecTunnel({ psk: { key: PSK } }))).body.id;
    assert.ok(wgOnA && peerId && ipsecOnB && tunnelId);
  });
  after(async () => { await svc.stop(); });

  test('before the host sends anything, /status answers 200 with unknown (null) fields and observedAt null', async () => {
    const status = await svc.request('GET', `/wireguardgateways/${wgOnA}/status`);
    assert.equal(status.status, 200, status.text);
    assert.deepEqual(status.body.properties, {
      interfaceName: null, interfacePresent: null, listenPort: null, lans: [],
      peers: [{ id: peerId, configured: null, publicKey: PEER_PUBLIC_KEY, endpoint: null, latestHandshake: null, transferRxBytes: null, transferTxBytes: null }],
      observedAt: null, hostConnected: true, note: 'The gateway host has sent no live state for this gateway yet.',
    });
  });

  test('what the host\'s agent sends is the tenant\'s /status, without the host\'s name; another tenant gets 404', async () => {
    const sent = await put(hostA, [{ id: wgOnA, kind: 'wireguard', observedAt: at(5000), state: wgState() }]);
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body, { accepted: 1, gateways: [] });
    const status = await svc.request('GET', `/wireguardgateways/${wgOnA}/status`);
    assert.equal(status.status, 200, status.text);
    assert.deepEqual(status.body.properties, {
      interfaceName: 'wg-0123456789', interfacePresent: true, listenPort: 51820, lans: [],
      peers: [{ id: peerId, configured: true, publicKey: PEER_PUBLIC_KEY, endpoint: '198.51.100.7:41000', latestHandshake: '2026-01-02T03:04:05.000Z', transferRxBytes: 1234, transferTxBytes: 5678 }],
      observedAt: at(5000), hostConnected: true,
    });
    assert.ok(!status.text.includes('live-host-a'), 'the host\'s name is not shown');
    assert.equal((await svc.request('GET', `/wireguardgateways/${wgOnA}/status`, undefined, { authorization: tenantB })).status, 404);

    const ipsec = await put(hostB, [{ id: ipsecOnB, kind: 'ipsec', observedAt: at(1000), state: {
      kind: 'ipsec', charonRunning: true, lans: [], tunnels: [{ tunnelId, ikeState: 'ESTABLISHED', ikeEstablished: true, childEstablished: true, bytesIn: 10, bytesOut: 20 }],
    } }]);
    assert.deepEqual(ipsec.body, { accepted: 1, gateways: [] });
    const ipsecStatus = await svc.request('GET', `/ipsecgateways/${ipsecOnB}/status`);
    assert.deepEqual(ipsecStatus.body.properties.tunnels, [{ id: tunnelId, ikeState: 'ESTABLISHED', ikeEstablished: true, childEstablished: true, bytesIn: 10, bytesOut: 20 }]);
  });

  test('an entry for a gateway placed elsewhere (or of the wrong kind) is ignored and counted; an older observation is STALE', async () => {
    const before = (await svc.request('GET', `/wireguardgateways/${wgOnA}/status`)).body.properties;
    const foreign = await put(hostB, [{ id: wgOnA, kind: 'wireguard', observedAt: at(9000), state: wgState({ interfaceName: 'wg-foreign' }) }]);
    assert.equal(foreign.status, 200, foreign.text);
    assert.deepEqual(foreign.body, { accepted: 0, gateways: [{ id: wgOnA, outcome: 'NOT_PLACED_HERE' }] });
    const wrongKind = await put(hostA, [{ id: wgOnA, kind: 'ipsec', observedAt: at(9000), state: { kind: 'ipsec', charonRunning: false, lans: [], tunnels: [] } }]);
    assert.deepEqual(wrongKind.body, { accepted: 0, gateways: [{ id: wgOnA, outcome: 'NOT_PLACED_HERE' }] });
    const older = await put(hostA, [{ id: wgOnA, kind: 'wireguard', observedAt: at(1000), state: wgState({ interfaceName: 'wg-older' }) }]);
    assert.deepEqual(older.body, { accepted: 0, gateways: [{ id: wgOnA, outcome: 'STALE' }] });
    assert.deepEqual((await svc.request('GET', `/wireguardgateways/${wgOnA}/status`)).body.properties, before);
  });

  test('only an agent credential sends live state, and an agent credential cannot read /status', async () => {
    const issued = await svc.request('GET', '/auth/v1/tokens/generate');
    const tenantToken = `Bearer ${issued.body.token as string}`;
    for (const authorization of [tenantToken, svc.basic, '']) {
      const answer = await svc.request('PUT', '/agent/v1/live-state', { gateways: [] }, { authorization });
      assert.equal(answer.status, 401, answer.text);
    }
    for (const path of [`/wireguardgateways/${wgOnA}/status`, `/ipsecgateways/${ipsecOnB}/status`]) {
      const answer = await svc.request('GET', path, undefined, agent(hostA));
      assert.equal(answer.status, 401, answer.text);
    }
  });

  test('a bad body is a 400 naming the field', async () => {
    const entry = (overrides: Record<string, unknown> = {}, state: Record<string, unknown> = {}) => ({ id: wgOnA, kind: 'wireguard', observedAt: at(20000), state: wgState(state), ...overrides });
    const tooManyPeers = Array.from({ length: 21 }, (_, i) => ({ publicKey: peerKey(i), endpoint: null, latestHandshake: null, transferRxBytes: 0, transferTxBytes: 0 }));
    const cases: Array<[unknown, RegExp]> = [
      [{}, /gateways is required/],
      [{ gateways: [entry({ observedAt: 'yesterday' })] }, /gateways\[0\]\.observedAt/],
      [{ gateways: [entry({ id: 'not-a-uuid' })] }, /gateways\[0\]\.id/],
      [{ gateways: [entry({}, { peers: tooManyPeers })] }, /gateways\[0\]\.state\.peers must have at most 20 items/],
      [{ gateways: [entry({}, { peers: [{ ...wgState().peers[0], transferRxBytes: -1 }] })] }, /gateways\[0\]\.state\.peers\[0\]\.transferRxBytes/],
      [{ gateways: [entry({}, { interfaceName: 'x'.repeat(16) })] }, /gateways\[0\]\.state\.interfaceName must be at most 15 characters long/],
      [{ gateways: [entry({}, { peers: undefined })] }, /gateways\[0\]\.state\.peers is required for a wireguard gateway/],
      [{ gateways: [entry({}, { charonRunning: true })] }, /gateways\[0\]\.state\.charonRunning is not a field of a wireguard gateway's state/],
      [{ gateways: [entry({}, { kind: 'ipsec' })] }, /gateways\[0\]\.state\.kind must be wireguard/],
      [{ gateways: [entry(), entry()] }, /gateways\[1\]\.id: gateway .* comes more than once/],
      [{ gateways: Array.from({ length: 101 }, () => entry()) }, /gateways must have at most 100 items/],
    ];
    for (const [body, message] of cases) {
      const answer = await svc.request('PUT', '/agent/v1/live-state', body, agent(hostA));
      assert.equal(answer.status, 400, `${JSON.stringify(body).slice(0, 200)}: ${answer.text}`);
      assert.match(answer.body.messages[0].message, message);
    }
  });

  test('/metrics exports the live gauges from the stored state', async () => {
    const text = (await svc.request('GET', '/metrics', undefined, { authorization: '' })).text;
    assert.match(text, new RegExp(`^vpngw_wireguard_peer_receive_bytes\\{gateway_id="${wgOnA}",peer_id="${peerId}"\\} 1234$`, 'm'));
    assert.match(text, new RegExp(`^vpngw_wireguard_interface_up\\{gateway_id="${wgOnA}"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^vpngw_ipsec_tunnel_child_sa_established\\{gateway_id="${ipsecOnB}",tunnel_id="${tunnelId}"\\} 1$`, 'm'));
  });

  test('a silent host\'s gateway shows the last state sent, with hostConnected false and a note', async () => {
    clockOffsetMs = HEARTBEAT_TIMEOUT_MS * 2;
    try {
      const status = await svc.request('GET', `/wireguardgateways/${wgOnA}/status`);
      assert.equal(status.body.properties.hostConnected, false);
      assert.equal(status.body.properties.observedAt, at(5000));
      assert.match(status.body.properties.note, /^The gateway host has not been heard from since \S+; this is the state it last sent\.$/);
      assert.equal(status.body.properties.peers[0].transferRxBytes, 1234);
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('a gateway that moves to another host shows nothing of the first host\'s state; a deleted gateway\'s and a removed host\'s rows go', async () => {
    const moved = await svc.request('PUT', `/ipsecgateways/${ipsecOnB}`, ipsecGateway({ gatewayIP: wireguardGateway().properties.gatewayIP }));
    assert.equal(moved.status, 200, moved.text);
    const status = await svc.request('GET', `/ipsecgateways/${ipsecOnB}/status`);
    assert.equal(status.body.properties.observedAt, null, 'host B\'s report is not served once host A runs the gateway');
    assert.equal(status.body.properties.charonRunning, null);
    // Host B's next send removes its rows of gateways no longer placed on it.
    assert.deepEqual((await put(hostB, [])).body, { accepted: 0, gateways: [] });
    assert.equal(await rowCount(svc, ipsecOnB), 0);
    assert.equal(await rowCount(svc, wgOnA), 1);
    assert.equal((await svc.request('DELETE', `/wireguardgateways/${wgOnA}`)).status, 202);
    // Without a host to confirm, the purger removes the deleted gateway, and its live state with it.
    await eventually(async () => (await rowCount(svc, wgOnA)) === 0, 10_000, 'the deleted gateway\'s live state removed');

    // Host A runs the IPSec gateway now: its state is served; the host removed, its rows go.
    const fromA = await put(hostA, [{ id: ipsecOnB, kind: 'ipsec', observedAt: at(30000), state: { kind: 'ipsec', charonRunning: true, lans: [], tunnels: [] } }]);
    assert.deepEqual(fromA.body, { accepted: 1, gateways: [] });
    assert.equal((await svc.request('GET', `/ipsecgateways/${ipsecOnB}/status`)).body.properties.observedAt, at(30000));
    const hostId = ((await svc.request('GET', '/fleet/v1/hosts')).body.items as Array<{ id: string; name: string }>).find((h) => h.name === 'live-host-a')?.id;
    assert.equal((await svc.request('DELETE', `/fleet/v1/hosts/${hostId}`)).status, 204);
    assert.equal(await rowCount(svc, ipsecOnB), 0);
    const unplaced = (await svc.request('GET', `/ipsecgateways/${ipsecOnB}/status`)).body.properties;
    assert.deepEqual([unplaced.observedAt, unplaced.hostConnected, unplaced.note], [null, null, 'No gateway host runs this gateway (see its statusMessage).']);
  });
});

/** Rows of the gateway in the live-state table, whatever the placement (a second connection). */
async function rowCount(svc: TestService, gatewayId: string): Promise<number> {
  if (!svc.databaseUrl) {
    const database = new SqliteDatabase(join(svc.dataDir, 'vpngw.sqlite'), { readonly: true });
    try {
      return Number((database.prepare('select count(*) as n from gateway_live_state where gateway_id = ?').get(gatewayId) as { n: number }).n);
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: svc.databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('select count(*) as n from gateway_live_state where gateway_id = $1', [gatewayId])).rows[0].n);
  } finally {
    await client.end();
  }
}
