import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GATEWAY_PRIVATE_KEY, ipsecGateway, ipsecTunnel, PSK, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { basicAuth, eventually, startTestService, type TestService } from '../support/test-service.ts';

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
  text: string;
}

const B_ADMIN = { email: 'tenant-b@example.org', password: 'tenant-b-password' };

/**
 * The fleet's control plane over real HTTP: enrollment, agent credentials, inventory, placement, the
 * desired-state watch and reports, and the installation administrators' host management.
 */
describe('fleet control plane', () => {
  let svc: TestService;
  let base: string;
  let tenantB: string;

  async function call(method: string, path: string, authorization: string | undefined, body?: unknown): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
  }

  async function enrollmentToken(): Promise<string> {
    const created = await call('POST', '/fleet/v1/enrollment-tokens', svc.basic, {});
    assert.equal(created.status, 201, created.text);
    return created.body.token;
  }

  async function enrollHost(name: string, inventory: Record<string, unknown>): Promise<{ hostId: string; auth: string }> {
    const enrolled = await call('POST', '/agent/v1/enroll', undefined, { token: await enrollmentToken(), name, version: '0.1.0' });
    assert.equal(enrolled.status, 201, enrolled.text);
    const auth = `Bearer ${enrolled.body.credential}`;
    const put = await call('PUT', '/agent/v1/inventory', auth, { addresses: [], delegatedBlocks: [], lans: [], version: '0.1.0', ...inventory });
    assert.equal(put.status, 200, put.text);
    return { hostId: enrolled.body.hostId, auth };
  }

  let hostA: { hostId: string; auth: string };
  let hostB: { hostId: string; auth: string };
  let wgOnA: string;
  let ipsecOnB: string;

  before(async () => {
    svc = await startTestService();
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    await svc.auth.createContract(B_ADMIN.email, B_ADMIN.password);
    tenantB = basicAuth(B_ADMIN.email, B_ADMIN.password);
    // Host A holds the WireGuard gateway's address itself; host B has a delegated block with the IPSec gateway's.
    hostA = await enrollHost('host-a', { addresses: ['192.0.2.10'], lans: [{ datacenterId: '5a029f4a-72e5-11ec-90d6-0242ac120003', lanId: '2', interface: 'ens5' }] });
    hostB = await enrollHost('host-b', { delegatedBlocks: ['192.0.2.16/28'] });
    wgOnA = (await call('POST', '/wireguardgateways', svc.basic, wireguardGateway())).body.id;
    await call('POST', `/wireguardgateways/${wgOnA}/peers`, svc.basic, wireguardPeer());
    ipsecOnB = (await call('POST', '/ipsecgateways', svc.basic, ipsecGateway())).body.id;
    assert.equal((await call('POST', `/ipsecgateways/${ipsecOnB}/tunnels`, svc.basic, ipsecTunnel({ psk: { key: PSK } }))).status, 201);
  });
  after(async () => { await svc.stop(); });

  test('each host receives exactly the gateways placed on it, with their secrets, and nothing of the other host', async () => {
    const a = await call('GET', '/agent/v1/desired', hostA.auth);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.full, true);
    assert.deepEqual(a.body.gateways.map((g: { id: string }) => g.id), [wgOnA]);
    assert.equal(a.body.gateways[0].privateKey, GATEWAY_PRIVATE_KEY);
    assert.equal(a.body.gateways[0].peers.length, 1);
    assert.equal(a.body.gateways[0].connections[0].hostInterface, 'ens5', 'the LAN is this host\'s interface');
    assert.ok(!a.text.includes(ipsecOnB) && !a.text.includes(PSK), 'host A never sees host B\'s gateway or its PSK');

    const b = await call('GET', '/agent/v1/desired', hostB.auth);
    assert.deepEqual(b.body.gateways.map((g: { id: string }) => g.id), [ipsecOnB]);
    assert.equal(b.body.gateways[0].tunnels[0].psk, PSK);
    assert.ok(!b.text.includes(wgOnA) && !b.text.includes(GATEWAY_PRIVATE_KEY), 'host B never sees host A\'s gateway or its key');
  });

  test('the watch answers a change at once, holds while nothing changed for the host, and resumes from a revision', async () => {
    const { revision } = (await call('GET', '/agent/v1/desired', hostA.auth)).body as { revision: number };
    // Nothing changes for A: the watch holds for its wait, then answers with nothing; a change of B's gateway does not count.
    const started = Date.now();
    const idle = call('GET', `/agent/v1/desired?since=${revision}&wait=1`, hostA.auth);
    await call('PUT', `/ipsecgateways/${ipsecOnB}`, svc.basic, ipsecGateway({ name: 'renamed' }));
    const quiet = await idle;
    assert.ok(Date.now() - started >= 900, 'it waited');
    assert.deepEqual({ gateways: quiet.body.gateways, removed: quiet.body.removed, full: quiet.body.full }, { gateways: [], removed: [], full: false });

    // A change to A's gateway wakes A's waiting watch long before its wait ends.
    const waiting = call('GET', `/agent/v1/desired?since=${quiet.body.revision}&wait=30`, hostA.auth);
    await new Promise((r) => setTimeout(r, 100));
    const woke = Date.now();
    await call('POST', `/wireguardgateways/${wgOnA}/peers`, svc.basic, wireguardPeer({ publicKey: Buffer.alloc(32, 9).toString('base64'), allowedIPs: ['10.9.9.9/32'] }));
    const changed = await waiting;
    assert.ok(Date.now() - woke < 5000, 'woken by the change, not by the wait');
    assert.deepEqual(changed.body.gateways.map((g: { id: string; peers: unknown[] }) => [g.id, g.peers.length]), [[wgOnA, 2]]);
    assert.ok(changed.body.revision > quiet.body.revision);

    // A watch resumed from the old revision gets the same change again; one from now gets nothing.
    const resumed = await call('GET', `/agent/v1/desired?since=${quiet.body.revision}`, hostA.auth);
    assert.deepEqual(resumed.body.gateways.map((g: { id: string }) => g.id), [wgOnA]);
    const current = await call('GET', `/agent/v1/desired?since=${changed.body.revision}`, hostA.auth);
    assert.deepEqual(current.body.gateways, []);
  });

  test('a gateway that moves to another host is removed from the first one\'s watch', async () => {
    const { revision } = (await call('GET', '/agent/v1/desired', hostA.auth)).body as { revision: number };
    const moving = (await call('POST', '/ipsecgateways', svc.basic, ipsecGateway({ gatewayIP: '192.0.2.10', name: 'mover' }))).body.id as string;
    const arrived = await call('GET', `/agent/v1/desired?since=${revision}`, hostA.auth);
    assert.ok(arrived.body.gateways.some((g: { id: string }) => g.id === moving));
    assert.equal((await call('PUT', `/ipsecgateways/${moving}`, svc.basic, ipsecGateway({ gatewayIP: '192.0.2.17', name: 'mover' }))).status, 200);
    const left = await call('GET', `/agent/v1/desired?since=${arrived.body.revision}`, hostA.auth);
    assert.deepEqual(left.body.removed, [moving]);
    const onB = await call('GET', `/agent/v1/desired?since=${arrived.body.revision}`, hostB.auth);
    assert.ok(onB.body.gateways.some((g: { id: string }) => g.id === moving));
    assert.equal((await call('DELETE', `/ipsecgateways/${moving}`, svc.basic)).status, 202);
    const deleted = await call('GET', `/agent/v1/desired?since=${onB.body.revision}`, hostB.auth);
    assert.deepEqual(deleted.body.removed, [moving]);
  });

  test('reports are recorded for the host\'s own gateways only, and stale generations are ignored', async () => {
    const generation = (await svc.store.findGatewayAnywhere(wgOnA))?.generation;
    assert.ok(generation !== undefined && generation > 1);
    // The embedded reconciler still applies every gateway here: let it finish first, so that it cannot overwrite the report.
    await eventually(async () => (await svc.store.findGatewayAnywhere(wgOnA))?.appliedGeneration === generation, 5000, 'the local apply');
    const report = await call('POST', '/agent/v1/reports', hostA.auth, {
      gateways: [
        { id: wgOnA, generation, status: 'FAILED', message: 'ens5 is down' },
        { id: wgOnA, generation: 1, status: 'AVAILABLE' },
        { id: ipsecOnB, generation: 1, status: 'FAILED', message: 'not yours' },
      ],
    });
    assert.equal(report.status, 200, report.text);
    assert.deepEqual(report.body.gateways.map((r: { outcome: string }) => r.outcome), ['RECORDED', 'STALE', 'NOT_PLACED_HERE']);
    assert.equal((await svc.store.findGatewayAnywhere(wgOnA))?.statusMessage, 'ens5 is down');
    assert.notEqual((await svc.store.findGatewayAnywhere(ipsecOnB))?.statusMessage, 'not yours');
  });

  test('agent endpoints take only agent credentials; tenant and fleet endpoints never take one', async () => {
    const issued = await call('GET', '/auth/v1/tokens/generate', svc.basic);
    assert.equal(issued.status, 200, issued.text);
    const tenantToken = `Bearer ${issued.body.token as string}`;
    assert.equal((await call('GET', '/wireguardgateways', tenantToken)).status, 200, 'the tenant token works where it belongs');
    for (const [method, path, body] of [['GET', '/agent/v1/desired', undefined], ['PUT', '/agent/v1/inventory', { addresses: [], delegatedBlocks: [], lans: [], version: '1' }],
      ['POST', '/agent/v1/reports', { gateways: [] }]] as const) {
      assert.equal((await call(method, path, svc.basic, body)).status, 401, `${path} with the administrator's Basic credentials`);
      assert.equal((await call(method, path, tenantToken, body)).status, 401, `${path} with a tenant token`);
      assert.equal((await call(method, path, undefined, body)).status, 401, `${path} without credentials`);
    }
    for (const [method, path] of [['GET', '/wireguardgateways'], ['GET', `/ipsecgateways/${ipsecOnB}`], ['GET', '/fleet/v1/hosts'], ['POST', '/fleet/v1/enrollment-tokens']] as const) {
      const answer = await call(method, path, hostA.auth, method === 'POST' ? {} : undefined);
      assert.equal(answer.status, 401, `${method} ${path} with an agent credential`);
      assert.equal(answer.body.messages[0].errorCode, 'UNAUTHORIZED');
    }
  });

  test('host management is for the installation\'s administrators only', async () => {
    assert.equal((await call('GET', '/fleet/v1/hosts', tenantB)).status, 403, 'another contract\'s administrator');
    assert.equal((await call('POST', '/fleet/v1/enrollment-tokens', tenantB, {})).status, 403);
    const listed = await call('GET', '/fleet/v1/hosts', svc.basic);
    assert.equal(listed.status, 200);
    const a = listed.body.items.find((h: { id: string }) => h.id === hostA.hostId);
    assert.equal(a.name, 'host-a');
    assert.equal(a.state, 'ACTIVE');
    assert.equal(a.addressCount, 1);
    assert.equal(a.gatewayCount, 1);
    assert.equal(a.version, '0.1.0');
    assert.match(a.lastContact, /^\d{4}-\d\d-\d\dT/);
  });

  test('an enrollment token works once; an expired, used or made-up one is refused', async () => {
    const token = await enrollmentToken();
    assert.equal((await call('POST', '/agent/v1/enroll', undefined, { token, name: 'once', version: '1' })).status, 201);
    const again = await call('POST', '/agent/v1/enroll', undefined, { token, name: 'twice', version: '1' });
    assert.equal(again.status, 401);
    assert.match(again.body.messages[0].message, /^token: /);
    const expired = `vpngw-enroll.${randomBytes(32).toString('base64url')}`;
    await svc.hosts.insertEnrollmentToken({
      id: randomUUID(), tokenHash: createHash('sha256').update(expired).digest('hex'), expiresAt: new Date(Date.now() - 1000).toISOString(), createdBy: 'test',
    });
    assert.equal((await call('POST', '/agent/v1/enroll', undefined, { token: expired, name: 'late', version: '1' })).status, 401);
    assert.equal((await call('POST', '/agent/v1/enroll', undefined, { token: `vpngw-enroll.${randomBytes(32).toString('base64url')}`, name: 'x', version: '1' })).status, 401);
    const taken = await call('POST', '/agent/v1/enroll', undefined, { token: await enrollmentToken(), name: 'host-a', version: '1' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.messages[0].errorCode, 'HOST_NAME_TAKEN');
  });

  test('an inventory with a bad address, block or LAN is 400 naming the field', async () => {
    const put = (inventory: Record<string, unknown>) =>
      call('PUT', '/agent/v1/inventory', hostB.auth, { addresses: [], delegatedBlocks: ['192.0.2.16/28'], lans: [], version: '1', ...inventory });
    for (const [inventory, field] of [
      [{ addresses: ['192.0.2.300'] }, /addresses\[0\]/],
      [{ addresses: ['192.0.2.1', '010.1.1.1'] }, /addresses\[1\]/],
      [{ delegatedBlocks: ['192.0.2.0/33'] }, /delegatedBlocks\[0\]/],
      [{ lans: [{ datacenterId: randomUUID(), lanId: '1', interface: 'bad/name' }] }, /lans\[0\]\.interface/],
      [{ addresses: 'nope' }, /addresses/],
    ] as const) {
      const answer = await put(inventory);
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.body.messages[0].message, field);
    }
    assert.equal((await put({})).status, 200);
  });

  test('a malformed watch query or report is 400 naming the field', async () => {
    for (const [path, field] of [['/agent/v1/desired?wait=soon', /wait/], ['/agent/v1/desired?since=-1', /since/]] as const) {
      const answer = await call('GET', path, hostA.auth);
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.body.messages[0].message, field);
    }
    const report = await call('POST', '/agent/v1/reports', hostA.auth, { gateways: [{ id: 'nope', generation: 1, status: 'AVAILABLE' }] });
    assert.equal(report.status, 400);
    assert.match(report.body.messages[0].message, /^gateways\[0\]\.id /);
  });

  test('a gateway whose address no host holds is listed with the reason, for the installation\'s administrators only', async () => {
    const lonely = (await call('POST', '/ipsecgateways', svc.basic, ipsecGateway({ gatewayIP: '198.51.100.99', name: 'lonely' }))).body.id as string;
    const listed = await call('GET', '/fleet/v1/unplaced-gateways', svc.basic);
    assert.equal(listed.status, 200, listed.text);
    const item = listed.body.items.find((i: { id: string }) => i.id === lonely);
    assert.deepEqual(item, { id: lonely, contractNumber: 31000001, gatewayIP: '198.51.100.99', message: 'no gateway host holds 198.51.100.99' });
    assert.ok(!listed.body.items.some((i: { id: string }) => i.id === wgOnA || i.id === ipsecOnB), 'placed gateways are not listed');
    assert.equal((await call('GET', '/fleet/v1/unplaced-gateways', tenantB)).status, 403);
    assert.equal((await call('GET', '/fleet/v1/unplaced-gateways', hostA.auth)).status, 401);
  });

  test('a drained host gets no new gateways; a removed host\'s credential stops working', async () => {
    const c = await enrollHost('host-c', { addresses: ['192.0.2.40'] });
    const drained = await call('POST', `/fleet/v1/hosts/${c.hostId}/drain`, svc.basic);
    assert.equal(drained.status, 200, drained.text);
    assert.equal(drained.body.state, 'DRAINING');
    const gw = (await call('POST', '/ipsecgateways', svc.basic, ipsecGateway({ gatewayIP: '192.0.2.40', name: 'on-drained' }))).body.id as string;
    assert.equal(await svc.hosts.placementOf(gw), null);
    assert.equal((await call('DELETE', `/fleet/v1/hosts/${c.hostId}`, svc.basic)).status, 204);
    assert.equal((await call('GET', '/agent/v1/desired', c.auth)).status, 401);
    assert.equal((await call('DELETE', `/fleet/v1/hosts/${c.hostId}`, svc.basic)).status, 404);
    assert.equal((await call('POST', '/fleet/v1/hosts/not-a-uuid/drain', svc.basic)).status, 400);
  });
});

describe('agent routes are rate limited like every route, before their credential is looked at', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService({ env: { VPNGW_RATE_LIMIT: '3' } }); });
  after(async () => { await svc.stop(); });

  test('the fourth request of a minute from one address is 429 in the IONOS shape', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await svc.request('GET', '/agent/v1/desired', undefined, { authorization: `Bearer vpngw-agent.${'x'.repeat(43)}` }, '192.0.2.77')).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const enroll = await svc.request('POST', '/agent/v1/enroll', { token: 'vpngw-enroll.x', name: 'n', version: '1' }, { authorization: '' }, '192.0.2.77');
    assert.equal(enroll.status, 429);
    assert.equal(enroll.body.messages[0].errorCode, 'RATE_LIMITED');
  });
});
