import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import { MAX_PEERS_PER_GATEWAY } from '../../src/domain/defaults.ts';
import { peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { postgresUnavailable } from '../support/postgres-database.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const unavailable = postgresUnavailable();

/**
 * Two API servers on one PostgreSQL: a change accepted by either reaches an agent's watch held by
 * the other within a second (LISTEN/NOTIFY), also after the listening connection was cut.
 */
describe('fleet watches across API servers sharing one PostgreSQL', { skip: unavailable }, () => {
  let a: TestService;
  let b: TestService;
  let agent: string;

  before(async () => {
    const keys = { VPNGW_SECRET_KEY: randomBytes(32).toString('base64'), VPNGW_TOKEN_SIGNING_KEY: randomBytes(32).toString('base64') };
    a = await startTestService({ postgres: true, env: keys });
    b = await startTestService({ postgres: false, env: { ...keys, VPNGW_DATABASE_URL: a.databaseUrl ?? '' } });
    const token = await a.request('POST', '/fleet/v1/enrollment-tokens', {});
    assert.equal(token.status, 201, token.text);
    const enrolled = await a.request('POST', '/agent/v1/enroll', { token: token.body.token, name: 'host-1', version: '0.1.0' });
    assert.equal(enrolled.status, 201, enrolled.text);
    agent = `Bearer ${enrolled.body.credential}`;
    const inventory = await b.request('PUT', '/agent/v1/inventory', { addresses: ['192.0.2.10'], delegatedBlocks: [], lans: [], version: '0.1.0' }, { authorization: agent });
    assert.equal(inventory.status, 200, inventory.text);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  /** Holds a watch on `watcher`, then writes a gateway on `writer`: how long after the write's answer the watch answered, and with what. */
  async function wokenAcross(watcher: TestService, writer: TestService) {
    const snapshot = await watcher.request('GET', '/agent/v1/desired', undefined, { authorization: agent });
    assert.equal(snapshot.status, 200, snapshot.text);
    let answeredAt = 0;
    const watch = watcher.request('GET', `/agent/v1/desired?since=${snapshot.body.revision}&wait=20`, undefined, { authorization: agent })
      .then((answer) => { answeredAt = performance.now(); return answer; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answeredAt, 0, 'the watch waits while nothing changes');
    const created = await writer.request('POST', '/wireguardgateways', wireguardGateway());
    assert.equal(created.status, 201, created.text);
    const acknowledgedAt = performance.now();
    const answer = await watch;
    assert.equal(answer.status, 200, answer.text);
    return { id: created.body.id as string, ids: (answer.body.gateways as Array<{ id: string }>).map((g) => g.id), latencyMs: answeredAt - acknowledgedAt };
  }

  test('a gateway written on one server wakes the watch held by the other within a second, both ways', async () => {
    for (const [watcher, writer] of [[b, a], [a, b]] as const) {
      const { id, ids, latencyMs } = await wokenAcross(watcher, writer);
      assert.deepEqual(ids, [id]);
      assert.ok(latencyMs < 1000, `the watch answered ${Math.round(latencyMs)} ms after the write`);
    }
  });

  test('after the listening connection is cut, it is opened again and watches are woken across servers again', async () => {
    const admin = new pg.Client({ connectionString: a.databaseUrl });
    await admin.connect();
    try {
      const cut = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vpngw-change-feed' AND datname = current_database()");
      assert.equal(cut.rowCount, 2, 'each server has one listening connection');
    } finally {
      await admin.end();
    }
    // The first retry comes after a quarter of a second; give both servers time to listen again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { id, ids, latencyMs } = await wokenAcross(b, a);
    assert.deepEqual(ids, [id]);
    assert.ok(latencyMs < 1000, `the watch answered ${Math.round(latencyMs)} ms after the write`);
    assert.ok(b.logs.some((line) => line.includes('listening for other API servers\' changes again')));
  });

  test('the rules hold across servers: of 30 simultaneous peer POSTs split over both, exactly the limit is created; one key twice is one 201 and one 409', async () => {
    const bases = await Promise.all([a, b].map(async (svc) => {
      await svc.app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    }));
    const post = (n: number, path: string, body: unknown) => fetch(`${bases[n % 2] as string}${path}`, {
      method: 'POST', headers: { authorization: a.basic, 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } }));
    const gateway = await post(0, '/wireguardgateways', { properties: { ...wireguardGateway().properties, name: 'shared-limits' } });
    assert.equal(gateway.status, 201);
    const peers = `/wireguardgateways/${gateway.body.id as string}/peers`;
    const results = await Promise.all(Array.from({ length: 30 }, (_, n) =>
      post(n, peers, wireguardPeer({ name: `across-${n}`, publicKey: peerKey(100 + n), allowedIPs: [`10.9.${n}.0/24`] }))));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, MAX_PEERS_PER_GATEWAY, String(statuses));
    assert.equal(statuses.filter((s) => s === 422).length, 30 - MAX_PEERS_PER_GATEWAY, String(statuses));
    assert.equal((await b.request('GET', peers)).body.items.length, MAX_PEERS_PER_GATEWAY);

    const other = await post(1, '/wireguardgateways', { properties: { ...wireguardGateway().properties, name: 'shared-keys' } });
    const samePeer = wireguardPeer({ name: 'twice', publicKey: peerKey(7), allowedIPs: ['10.8.0.0/24'] });
    const twice = await Promise.all([0, 1].map((n) => post(n, `/wireguardgateways/${other.body.id as string}/peers`, samePeer)));
    assert.deepEqual(twice.map((r) => r.status).sort(), [201, 409]);
  });
});
