import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { basicAuth, startTestService, type TestService } from '../support/test-service.ts';
import { connection, ipsecGateway, ipsecTunnel, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { assertIonosError } from '../support/api-assertions.ts';
import { manualClock } from '../support/manual-clock.ts';

const MISSING = '0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e5f';
/** Contract B's own datacenter: contract A owns the fixtures' one, having named it first. */
const B_DATACENTER = '7c2e4d61-0a5b-4f3c-8e9d-1b2c3d4e5f60';
/** Where the wrong passwords come from: failed logins are throttled per client address, not per account. */
const GUESSER_ADDRESS = '203.0.113.50';

interface Operation { name: string; method: string; url: () => string; body?: () => unknown; collection?: boolean; creates?: boolean }

/** The 20 VPN operations, on resources that exist in contract A; gateway bodies name the given datacenter. */
function operations(ids: { wg: string; peer: string; ipsec: string; tunnel: string }, datacenterId?: string): Operation[] {
  const connections = [connection(datacenterId)];
  const gatewayOps = (base: string, id: () => string, body: () => unknown): Operation[] => [
    { name: `list ${base}`, method: 'GET', url: () => `/${base}`, collection: true },
    { name: `create ${base}`, method: 'POST', url: () => `/${base}`, body, creates: true },
    { name: `get ${base}`, method: 'GET', url: () => `/${base}/${id()}` },
    { name: `ensure ${base}`, method: 'PUT', url: () => `/${base}/${id()}`, body },
    { name: `delete ${base}`, method: 'DELETE', url: () => `/${base}/${id()}` },
  ];
  const childOps = (base: string, gw: () => string, seg: string, id: () => string, body: () => unknown): Operation[] => [
    { name: `list ${seg}`, method: 'GET', url: () => `/${base}/${gw()}/${seg}` },
    { name: `create ${seg}`, method: 'POST', url: () => `/${base}/${gw()}/${seg}`, body },
    { name: `get ${seg}`, method: 'GET', url: () => `/${base}/${gw()}/${seg}/${id()}` },
    { name: `ensure ${seg}`, method: 'PUT', url: () => `/${base}/${gw()}/${seg}/${id()}`, body },
    { name: `delete ${seg}`, method: 'DELETE', url: () => `/${base}/${gw()}/${seg}/${id()}` },
  ];
  return [
    ...gatewayOps('wireguardgateways', () => ids.wg, () => wireguardGateway({ connections })),
    ...childOps('wireguardgateways', () => ids.wg, 'peers', () => ids.peer, () => wireguardPeer({ publicKey: peerKey(7) })),
    ...gatewayOps('ipsecgateways', () => ids.ipsec, () => ipsecGateway({ connections })),
    ...childOps('ipsecgateways', () => ids.ipsec, 'tunnels', () => ids.tunnel, () => ipsecTunnel()),
  ];
}

describe('who may do what: 20 operations × 6 kinds of caller', () => {
  let svc: TestService;
  const ids = { wg: '', peer: '', ipsec: '', tunnel: '' };
  const callers: Record<string, string> = {};
  const clock = manualClock();

  before(async () => {
    svc = await startTestService({ now: clock.now });
    ids.wg = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    ids.peer = (await svc.request('POST', `/wireguardgateways/${ids.wg}/peers`, wireguardPeer())).body.id;
    ids.ipsec = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    ids.tunnel = (await svc.request('POST', `/ipsecgateways/${ids.ipsec}/tunnels`, ipsecTunnel())).body.id;
    await svc.request('POST', '/cloudapi/v6/um/users', { properties: { email: 'plain@example.com', password: 'plain-password' } });
    // Five failed logins per account and address are free: spread the wrong passwords over four accounts.
    for (let i = 0; i < 4; i += 1) {
      await svc.request('POST', '/cloudapi/v6/um/users', { properties: { email: `guesser${i}@example.com`, password: 'the-right-one' } });
    }
    await svc.auth.createContract('other-admin@example.com', 'other-password');
    const token = async (ttl?: number) =>
      (await svc.request('GET', `/auth/v1/tokens/generate${ttl ? `?ttl=${ttl}` : ''}`)).body.token as string;
    const expiring = await token(1);
    const revoked = await token();
    const revokedId = JSON.parse(Buffer.from(revoked.split('.')[1] ?? '', 'base64url').toString()).jti;
    assert.equal((await svc.request('DELETE', `/auth/v1/tokens/${revokedId}`)).status, 200);
    Object.assign(callers, {
      'no credentials': '',
      'wrong password': 'per operation',
      'expired token': `Bearer ${expiring}`,
      'revoked token': `Bearer ${revoked}`,
      'unprivileged user': basicAuth('plain@example.com', 'plain-password'),
      "another contract's administrator": basicAuth('other-admin@example.com', 'other-password'),
    });
    clock.advance(1000); // the 1-second token expires
  });
  after(async () => { await svc.stop(); });

  const expected = (caller: string, op: Operation): number => {
    if (caller === 'unprivileged user') return 403;
    if (caller === "another contract's administrator") return op.collection ? 200 : op.creates ? 201 : 404;
    return 401;
  };

  for (const caller of ['no credentials', 'wrong password', 'expired token', 'revoked token', 'unprivileged user', "another contract's administrator"]) {
    test(caller, async () => {
      for (const [index, op] of operations(ids, caller === "another contract's administrator" ? B_DATACENTER : undefined).entries()) {
        const authorization = caller === 'wrong password' ? basicAuth(`guesser${index % 4}@example.com`, 'wrong password') : callers[caller] ?? '';
        const res = await svc.request(op.method, op.url(), op.body?.(), { authorization }, caller === 'wrong password' ? GUESSER_ADDRESS : undefined);
        const status = expected(caller, op);
        if (status >= 400) assertIonosError(res, status);
        else assert.equal(res.status, status, `${op.name}: ${res.text}`);
        if (op.collection) assert.equal(res.body?.items?.length ?? 0, 0, `${op.name} leaks another contract's resources`);
      }
      // Contract A's resources are all still there, unchanged.
      assert.equal((await svc.request('GET', `/wireguardgateways/${ids.wg}/peers/${ids.peer}`)).status, 200);
      assert.equal((await svc.request('GET', `/ipsecgateways/${ids.ipsec}/tunnels/${ids.tunnel}`)).status, 200);
    });
  }

  test("another contract's administrator creating with PUT on contract A's id gets 404, not the resource", async () => {
    const res = await svc.request('PUT', `/wireguardgateways/${ids.wg}`, wireguardGateway(), { authorization: callers["another contract's administrator"] ?? '' });
    assertIonosError(res, 404);
    const mine = await svc.request('GET', `/wireguardgateways/${ids.wg}`);
    assert.equal(mine.body.metadata.createdBy, 'admin@example.com');
  });

  test('lists of contract A never show contract B\'s gateways', async () => {
    const other = callers["another contract's administrator"] ?? '';
    const theirs = await svc.request('GET', '/wireguardgateways', undefined, { authorization: other });
    assert.ok(theirs.body.items.length >= 1, 'contract B created gateways in the matrix');
    const mine = await svc.request('GET', '/wireguardgateways');
    const theirIds = new Set(theirs.body.items.map((g: { id: string }) => g.id));
    assert.ok(mine.body.items.every((g: { id: string }) => !theirIds.has(g.id)));
    assert.equal((await svc.request('GET', `/wireguardgateways/${MISSING}`)).status, 404);
  });
});
