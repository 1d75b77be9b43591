import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { assertIonosError } from '../support/api-assertions.ts';
import { connection, ipsecGateway, ipsecTunnel, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { basicAuth, startTestService, type TestResponse, type TestService } from '../support/test-service.ts';

const B_DATACENTER = '7d2e4d61-0a5b-4f3c-8e9d-1b2c3d4e5f60';

// Each peer and tunnel routes networks of its own: siblings may not overlap.
let networks = 0;
const nextNetwork = () => `10.${200 + Math.floor(networks / 256)}.${networks++ % 256}.0/24`;
const peer = (overrides: Record<string, unknown> = {}) => wireguardPeer({ allowedIPs: [nextNetwork()], ...overrides });
const tunnel = (overrides: Record<string, unknown> = {}) => ipsecTunnel({ peerNetworkCIDRs: [nextNetwork()], ...overrides });

/**
 * Ids are unique across every gateway, peer and tunnel of every contract. Another contract's id is
 * 404 word for word as an id nobody holds (its existence is never revealed); the caller's own id of
 * another kind is 409 ID_IN_USE.
 */
describe('ids are unique across every resource and every contract', () => {
  let svc: TestService;
  let b: Record<string, string>;
  const a = {
    wireguard: '', peer: '', ipsec: '', tunnel: '',
  };
  const own = { wireguard: '', ipsec: '' };

  before(async () => {
    svc = await startTestService();
    await svc.auth.createContract('b-admin@example.org', 'b-password-123');
    b = { authorization: basicAuth('b-admin@example.org', 'b-password-123') };
    a.wireguard = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    a.peer = (await svc.request('POST', `/wireguardgateways/${a.wireguard}/peers`, peer())).body.id;
    a.ipsec = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    a.tunnel = (await svc.request('POST', `/ipsecgateways/${a.ipsec}/tunnels`, tunnel())).body.id;
    const bConnections = [connection(B_DATACENTER)];
    own.wireguard = (await svc.request('POST', '/wireguardgateways', wireguardGateway({ connections: bConnections }), b)).body.id;
    own.ipsec = (await svc.request('POST', '/ipsecgateways', ipsecGateway({ connections: bConnections }), b)).body.id;
    for (const id of [...Object.values(a), ...Object.values(own)]) assert.match(id, /^[0-9a-f-]{36}$/);
  });
  after(async () => { await svc.stop(); });

  let keys = 200;
  const nextKey = () => peerKey(keys++);

  /** Another contract's id is 404 naming only the id, as an unknown one; the same request with a fresh id is accepted. */
  async function assertAsIfUnknown(label: string, send: (id: string) => Promise<TestResponse>, taken: string) {
    const res = await send(taken);
    assertIonosError(res, 404, undefined, 'NOT_FOUND');
    assert.equal(res.body.messages[0].message, `${label} ${taken} was not found.`);
    const fresh = await send(randomUUID());
    assert.equal(fresh.status, 200, `the same request with a fresh id is accepted: ${fresh.text}`);
  }

  test('another contract\'s peer or tunnel id, PUT on the caller\'s own gateway, is 404, never 409', async () => {
    const peerPut = (id: string) => svc.request('PUT', `/wireguardgateways/${own.wireguard}/peers/${id}`, peer({ publicKey: nextKey() }), b);
    const tunnelPut = (id: string) => svc.request('PUT', `/ipsecgateways/${own.ipsec}/tunnels/${id}`, tunnel(), b);
    await assertAsIfUnknown('WireGuard peer', peerPut, a.peer);
    await assertAsIfUnknown('IPSec tunnel', tunnelPut, a.tunnel);
    await assertAsIfUnknown('WireGuard peer', peerPut, a.tunnel);
    await assertAsIfUnknown('IPSec tunnel', tunnelPut, a.peer);
  });

  test('another contract\'s gateway id as a peer or tunnel id, and its peer or tunnel id as a gateway id, are 404', async () => {
    const bConnections = [connection(B_DATACENTER)];
    await assertAsIfUnknown('WireGuard peer', (id) => svc.request('PUT', `/wireguardgateways/${own.wireguard}/peers/${id}`, peer({ publicKey: nextKey() }), b), a.wireguard);
    await assertAsIfUnknown('IPSec tunnel', (id) => svc.request('PUT', `/ipsecgateways/${own.ipsec}/tunnels/${id}`, tunnel(), b), a.ipsec);
    await assertAsIfUnknown('WireGuard gateway', (id) => svc.request('PUT', `/wireguardgateways/${id}`, wireguardGateway({ connections: bConnections }), b), a.peer);
    await assertAsIfUnknown('IPSec gateway', (id) => svc.request('PUT', `/ipsecgateways/${id}`, ipsecGateway({ connections: bConnections }), b), a.tunnel);
    await assertAsIfUnknown('IPSec gateway', (id) => svc.request('PUT', `/ipsecgateways/${id}`, ipsecGateway({ connections: bConnections }), b), a.wireguard);
    // Nothing of contract A changed.
    assert.equal((await svc.request('GET', `/wireguardgateways/${a.wireguard}/peers/${a.peer}`)).status, 200);
    assert.equal((await svc.request('GET', `/ipsecgateways/${a.ipsec}/tunnels/${a.tunnel}`)).status, 200);
  });

  test('the caller\'s own id of another kind is 409 ID_IN_USE, and nothing is written', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['a gateway id as a peer id', `/wireguardgateways/${a.wireguard}/peers/${a.wireguard}`, peer({ publicKey: peerKey(90) })],
      ['an IPSec gateway id as a peer id', `/wireguardgateways/${a.wireguard}/peers/${a.ipsec}`, peer({ publicKey: peerKey(91) })],
      ['a gateway id as a tunnel id', `/ipsecgateways/${a.ipsec}/tunnels/${a.ipsec}`, tunnel()],
      ['a peer id as a WireGuard gateway id', `/wireguardgateways/${a.peer}`, wireguardGateway()],
      ['a tunnel id as a WireGuard gateway id', `/wireguardgateways/${a.tunnel}`, wireguardGateway()],
      ['a peer id as an IPSec gateway id', `/ipsecgateways/${a.peer}`, ipsecGateway()],
      ['a peer id as a tunnel id', `/ipsecgateways/${a.ipsec}/tunnels/${a.peer}`, tunnel()],
      ['a WireGuard gateway id as an IPSec gateway id', `/ipsecgateways/${a.wireguard}`, ipsecGateway()],
    ];
    for (const [what, path, body] of cases) {
      const res = await svc.request('PUT', path, body);
      assert.equal(res.status, 409, `${what}: ${res.text}`);
      assertIonosError(res, 409, /already in use/, 'ID_IN_USE');
    }
    assert.equal((await svc.request('GET', '/wireguardgateways')).body.items.length, 1);
    assert.equal((await svc.request('GET', '/ipsecgateways')).body.items.length, 1);
    assert.equal((await svc.request('GET', `/wireguardgateways/${a.wireguard}/peers`)).body.items.length, 1);
    assert.equal((await svc.request('GET', `/ipsecgateways/${a.ipsec}/tunnels`)).body.items.length, 1);
  });

  test('a deleted peer\'s id is free again, for any kind', async () => {
    const freed = (await svc.request('POST', `/wireguardgateways/${a.wireguard}/peers`, peer({ publicKey: peerKey(60) }))).body.id;
    assertIonosError(await svc.request('PUT', `/ipsecgateways/${a.ipsec}/tunnels/${freed}`, tunnel()), 409, undefined, 'ID_IN_USE');
    assert.equal((await svc.request('DELETE', `/wireguardgateways/${a.wireguard}/peers/${freed}`)).status, 202);
    const reused = await svc.request('PUT', `/ipsecgateways/${a.ipsec}/tunnels/${freed}`, tunnel());
    assert.equal(reused.status, 200, reused.text);
    assert.equal((await svc.request('DELETE', `/ipsecgateways/${a.ipsec}/tunnels/${freed}`)).status, 202);
  });

  test('a gateway PUT and a peer PUT racing for one new id: exactly one wins, the other is 409', async () => {
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    const put = (path: string, body: unknown) => fetch(`${base}${path}`, {
      method: 'PUT', headers: { authorization: svc.basic, 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(body),
    }).then((r) => r.status);
    for (let round = 0; round < 10; round += 1) {
      const id = randomUUID();
      const statuses = await Promise.all([
        put(`/wireguardgateways/${id}`, wireguardGateway({ name: `race-${round}` })),
        put(`/wireguardgateways/${a.wireguard}/peers/${id}`, peer({ publicKey: peerKey(120 + round) })),
        put(`/ipsecgateways/${a.ipsec}/tunnels/${id}`, tunnel()),
      ]);
      assert.deepEqual(statuses.filter((s) => s === 200).length, 1, `round ${round}: ${statuses}`);
      assert.deepEqual(statuses.filter((s) => s !== 200), [409, 409], `round ${round}: ${statuses}`);
      const held = [
        (await svc.request('GET', `/wireguardgateways/${id}`)).status,
        (await svc.request('GET', `/wireguardgateways/${a.wireguard}/peers/${id}`)).status,
        (await svc.request('GET', `/ipsecgateways/${a.ipsec}/tunnels/${id}`)).status,
      ];
      assert.deepEqual(held.filter((s) => s === 200).length, 1, `round ${round}: the id is held by exactly one resource (${held})`);
      const winner = statuses.indexOf(200);
      const cleanup = [`/wireguardgateways/${id}`, `/wireguardgateways/${a.wireguard}/peers/${id}`, `/ipsecgateways/${a.ipsec}/tunnels/${id}`][winner];
      if (cleanup) assert.equal((await svc.request('DELETE', cleanup)).status, 202);
    }
  });
});
