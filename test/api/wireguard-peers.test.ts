import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertIonosError, holdDataPlane, waitForStatus } from '../support/api-assertions.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { GATEWAY_PUBLIC_KEY, ipsecGateway, ipsecTunnel, peerKey, PEER_PUBLIC_KEY, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const UNKNOWN_ID = '3f0c2b1a-0000-4000-8000-00000000abcd';

describe('WireGuard peers', () => {
  let svc: TestService;
  const driver = new FakeDriver();
  before(async () => { svc = await startTestService({ driver }); });
  after(async () => { await svc.stop(); });

  /** The peer keys the data plane was last given for a gateway. */
  const appliedPeerKeys = (g: string) => {
    const desired = driver.applied.get(g);
    return desired?.kind === 'wireguard' ? desired.peers.map((p) => p.publicKey) : undefined;
  };
  const newGateway = async () => {
    const res = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };

  test('POST creates: 201, Location, the envelope of a wireguardpeer under its gateway, endpoint port defaulted', async () => {
    const g = await newGateway();
    const res = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({
      description: 'Jane\'s laptop', endpoint: { host: '198.51.100.7' }, allowedIPs: ['172.16.0.2/32', 'fd00::2/128'],
    }));
    assert.equal(res.status, 201, res.text);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const p = res.body;
    assert.deepEqual(Object.keys(p).sort(), ['href', 'id', 'metadata', 'properties', 'type']);
    assert.equal(p.type, 'wireguardpeer');
    assert.match(p.id, /^[0-9a-f-]{36}$/);
    assert.equal(p.href, `http://vpn.test/wireguardgateways/${g}/peers/${p.id}`);
    assert.equal(res.headers.location, p.href);
    assert.match(p.metadata.createdDate, RFC3339_UTC);
    assert.equal(p.metadata.createdBy, 'admin@example.com');
    assert.match(p.metadata.resourceURN, new RegExp(`^ionos:vpn:de-fra:\\d+:wireguardgateways/${g}/peers/${p.id}$`));
    assert.match(p.metadata.status, /^(PROVISIONING|AVAILABLE)$/);
    assert.deepEqual(p.properties, {
      name: 'laptop', description: 'Jane\'s laptop', allowedIPs: ['172.16.0.2/32', 'fd00::2/128'], publicKey: PEER_PUBLIC_KEY,
      endpoint: { host: '198.51.100.7', port: 51820 },
    });
    const read = await svc.request('GET', `/wireguardgateways/${g}/peers/${p.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.properties, p.properties);
    assert.equal(read.body.href, p.href);
    const list = await svc.request('GET', `/wireguardgateways/${g}/peers`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((i: { id: string }) => i.id), [p.id]);
    assert.equal(list.body.href, `http://vpn.test/wireguardgateways/${g}/peers`);
  });

  test('hostname and IPv6 endpoints are kept with their port', async () => {
    const g = await newGateway();
    const byName = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(1), endpoint: { host: 'home.example.net', port: 4500 } }));
    assert.equal(byName.status, 201, byName.text);
    assert.deepEqual(byName.body.properties.endpoint, { host: 'home.example.net', port: 4500 });
    const byV6 = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(2), endpoint: { host: '2001:db8::7' } }));
    assert.equal(byV6.status, 201, byV6.text);
    assert.deepEqual(byV6.body.properties.endpoint, { host: '2001:db8::7', port: 51820 });
  });

  test('roaming peers have no endpoint: left out, null, or the SDK\'s {"host": ""}', async () => {
    const g = await newGateway();
    const shapes: unknown[] = [undefined, null, { host: '' }, { host: '', port: 51820 }, { host: '  ' }];
    for (const [n, endpoint] of shapes.entries()) {
      const res = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(10 + n), endpoint }));
      assert.equal(res.status, 201, `${JSON.stringify(endpoint)}: ${res.text}`);
      assert.equal('endpoint' in res.body.properties, false, JSON.stringify(endpoint));
      const read = await svc.request('GET', `/wireguardgateways/${g}/peers/${res.body.id}`);
      assert.equal('endpoint' in read.body.properties, false);
    }
  });

  test('PUT on a new id creates the peer with that id (200); PUT on it again replaces the whole peer', async () => {
    const g = await newGateway();
    const id = '6a3e3f2c-1f0e-4c1b-8d8e-7f6a5b4c3d2e';
    const created = await svc.request('PUT', `/wireguardgateways/${g}/peers/${id}`, {
      id, ...wireguardPeer({ description: 'first', endpoint: { host: '198.51.100.9', port: 51000 } }),
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.id, id);
    assert.equal(created.body.href, `http://vpn.test/wireguardgateways/${g}/peers/${id}`);
    assert.deepEqual(created.body.properties.endpoint, { host: '198.51.100.9', port: 51000 });

    const replaced = await svc.request('PUT', `/wireguardgateways/${g}/peers/${id}`, {
      id: '', properties: { name: 'renamed', allowedIPs: ['172.16.0.9/32'], publicKey: PEER_PUBLIC_KEY },
    });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.body.properties, { name: 'renamed', allowedIPs: ['172.16.0.9/32'], publicKey: PEER_PUBLIC_KEY });
    assert.equal(replaced.body.metadata.createdDate, created.body.metadata.createdDate);
    const read = await svc.request('GET', `/wireguardgateways/${g}/peers/${id}`);
    assert.deepEqual(read.body.properties, replaced.body.properties);
    const list = await svc.request('GET', `/wireguardgateways/${g}/peers`);
    assert.equal(list.body.items.length, 1, 'a replace does not add a peer');
  });

  test('a publicKey used twice on one gateway is 409; the same key on another gateway is fine', async () => {
    const g = await newGateway();
    const first = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer());
    assert.equal(first.status, 201);
    assertIonosError(await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ name: 'again' })), 409, /publicKey/);
    const second = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(3) }));
    assert.equal(second.status, 201);
    const clash = await svc.request('PUT', `/wireguardgateways/${g}/peers/${second.body.id}`, wireguardPeer());
    assertIonosError(clash, 409, /publicKey/);
    const unchanged = await svc.request('GET', `/wireguardgateways/${g}/peers/${second.body.id}`);
    assert.equal(unchanged.body.properties.publicKey, peerKey(3), 'a refused PUT changes nothing');
    const self = await svc.request('PUT', `/wireguardgateways/${g}/peers/${first.body.id}`, wireguardPeer({ name: 'same key, same peer' }));
    assert.equal(self.status, 200, 'a peer does not conflict with itself');
    const trimmed = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: `${PEER_PUBLIC_KEY}\n` }));
    assertIonosError(trimmed, 409, /publicKey/);
    // wg(8) ignores the spare low bits of the last base64 character: this spelling is the same key.
    const sameKeyOtherSpelling = `${PEER_PUBLIC_KEY.slice(0, 42)}J=`;
    assert.deepEqual(Buffer.from(sameKeyOtherSpelling, 'base64'), Buffer.from(PEER_PUBLIC_KEY, 'base64'));
    assertIonosError(await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: sameKeyOtherSpelling })), 400, /properties\.publicKey/);
    const elsewhere = await svc.request('POST', `/wireguardgateways/${await newGateway()}/peers`, wireguardPeer());
    assert.equal(elsewhere.status, 201, elsewhere.text);
    assert.equal((await svc.request('GET', `/wireguardgateways/${g}/peers`)).body.items.length, 2);
  });

  test('the gateway\'s own public key as a peer key is 422', async () => {
    const g = await newGateway();
    const res = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: GATEWAY_PUBLIC_KEY }));
    assertIonosError(res, 422, /properties\.publicKey/);
    assert.equal((await svc.request('GET', `/wireguardgateways/${g}/peers`)).body.items.length, 0);
  });

  test('at most 20 peers: the 21st is 422 (POST and PUT-create), replacing one of the 20 still works', async () => {
    const g = await newGateway();
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) {
      const res = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ name: `peer-${n}`, publicKey: peerKey(n) }));
      assert.equal(res.status, 201, res.text);
      ids.push(res.body.id);
    }
    assertIonosError(await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(20) })), 422, /20/, 'LIMIT_EXCEEDED');
    assertIonosError(await svc.request('PUT', `/wireguardgateways/${g}/peers/${UNKNOWN_ID}`, wireguardPeer({ publicKey: peerKey(21) })), 422, /20/);
    const replaced = await svc.request('PUT', `/wireguardgateways/${g}/peers/${ids[0]}`, wireguardPeer({ name: 'replaced', publicKey: peerKey(0) }));
    assert.equal(replaced.status, 200, replaced.text);
    const list = await svc.request('GET', `/wireguardgateways/${g}/peers`);
    assert.equal(list.body.items.length, 20);
    assert.equal((await svc.request('GET', `/wireguardgateways/${g}/peers/${UNKNOWN_ID}`)).status, 404);
  });

  test('DELETE answers 202 with no body and the peer is gone from GET and the list at once', async () => {
    const g = await newGateway();
    const keep = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(1) }));
    const gone = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(2) }));
    const res = await svc.request('DELETE', `/wireguardgateways/${g}/peers/${gone.body.id}`);
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
    assertIonosError(await svc.request('GET', `/wireguardgateways/${g}/peers/${gone.body.id}`), 404);
    const list = await svc.request('GET', `/wireguardgateways/${g}/peers`);
    assert.deepEqual(list.body.items.map((i: { id: string }) => i.id), [keep.body.id]);
    assertIonosError(await svc.request('DELETE', `/wireguardgateways/${g}/peers/${gone.body.id}`), 404);
    const reused = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(2) }));
    assert.equal(reused.status, 201, 'a deleted peer\'s key is free again');
  });

  test('a peer change puts its gateway back to PROVISIONING until applied, then AVAILABLE; the data plane gets the peer', async () => {
    const g = await newGateway();
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    const release = holdDataPlane(driver);
    let peerId: string;
    try {
      const peer = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(7) }));
      assert.equal(peer.status, 201);
      peerId = peer.body.id;
      assert.equal(peer.body.metadata.status, 'PROVISIONING');
      assert.equal((await svc.request('GET', `/wireguardgateways/${g}`)).body.metadata.status, 'PROVISIONING');
      assert.equal((await svc.request('GET', `/wireguardgateways/${g}/peers/${peerId}`)).body.metadata.status, 'PROVISIONING');
    } finally {
      release();
    }
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    await waitForStatus(svc, `/wireguardgateways/${g}/peers/${peerId}`, 'AVAILABLE');
    assert.deepEqual(appliedPeerKeys(g), [peerKey(7)]);

    const hold = holdDataPlane(driver);
    try {
      assert.equal((await svc.request('DELETE', `/wireguardgateways/${g}/peers/${peerId}`)).status, 202);
      assert.equal((await svc.request('GET', `/wireguardgateways/${g}`)).body.metadata.status, 'PROVISIONING');
    } finally {
      hold();
    }
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    assert.deepEqual(appliedPeerKeys(g), [], 'the gateway re-applied without the deleted peer');
  });

  test('peers of an unknown gateway are 404 for every operation', async () => {
    const base = `/wireguardgateways/${UNKNOWN_ID}/peers`;
    assertIonosError(await svc.request('GET', base), 404);
    assertIonosError(await svc.request('POST', base, wireguardPeer()), 404);
    assertIonosError(await svc.request('GET', `${base}/${UNKNOWN_ID}`), 404);
    assertIonosError(await svc.request('PUT', `${base}/${UNKNOWN_ID}`, wireguardPeer()), 404);
    assertIonosError(await svc.request('DELETE', `${base}/${UNKNOWN_ID}`), 404);
    const ipsec = await svc.request('POST', '/ipsecgateways', ipsecGateway());
    assertIonosError(await svc.request('GET', `/wireguardgateways/${ipsec.body.id}/peers`), 404);
    assertIonosError(await svc.request('POST', `/wireguardgateways/${ipsec.body.id}/peers`, wireguardPeer()), 404);
  });

  test('a peer reached through another gateway\'s id is 404 and is left alone', async () => {
    const owner = await newGateway();
    const stranger = await newGateway();
    const peer = await svc.request('POST', `/wireguardgateways/${owner}/peers`, wireguardPeer());
    const wrong = `/wireguardgateways/${stranger}/peers/${peer.body.id}`;
    assertIonosError(await svc.request('GET', wrong), 404);
    assertIonosError(await svc.request('DELETE', wrong), 404);
    const put = await svc.request('PUT', wrong, wireguardPeer({ name: 'hijacked', publicKey: peerKey(5) }));
    assert.ok(put.status >= 400 && put.status < 500, `${put.status} ${put.text}`);
    const still = await svc.request('GET', `/wireguardgateways/${owner}/peers/${peer.body.id}`);
    assert.equal(still.status, 200);
    assert.equal(still.body.properties.name, 'laptop');
    assert.equal((await svc.request('GET', `/wireguardgateways/${stranger}/peers`)).body.items.length, 0);
  });
});

describe('remote networks of one gateway\'s children never overlap', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  test('a peer whose allowedIPs overlap another peer\'s is 409 naming that peer (WireGuard would hand the address over); its own PUT is fine', async () => {
    const g = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    const first = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(1), allowedIPs: ['10.50.0.0/24'] }));
    assert.equal(first.status, 201, first.text);
    for (const allowedIPs of [['10.50.0.0/24'], ['10.50.0.7/32'], ['10.0.0.0/8'], ['10.60.0.1/32', '10.50.0.0/25']]) {
      const clash = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(2), allowedIPs }));
      assertIonosError(clash, 409, /properties\.allowedIPs/, 'ALLOWED_IPS_OVERLAP');
      assert.match(clash.text, new RegExp(`properties\\.allowedIPs .* the peer ${first.body.id}`));
    }
    assert.equal((await svc.request('GET', `/wireguardgateways/${g}/peers`)).body.items.length, 1, 'nothing stored');
    const own = await svc.request('PUT', `/wireguardgateways/${g}/peers/${first.body.id}`, wireguardPeer({ publicKey: peerKey(1), allowedIPs: ['10.50.0.0/24', '10.50.1.0/24'] }));
    assert.equal(own.status, 200, own.text);
    const other = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ publicKey: peerKey(2), allowedIPs: ['10.50.2.0/24'] }));
    assert.equal(other.status, 201, other.text);
    const g2 = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    assert.equal((await svc.request('POST', `/wireguardgateways/${g2}/peers`, wireguardPeer({ publicKey: peerKey(3), allowedIPs: ['10.50.0.0/24'] }))).status, 201, 'another gateway may use them');
  });

  test('a tunnel whose peerNetworkCIDRs overlap another tunnel\'s is 409 naming that tunnel', async () => {
    const g = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    const first = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel({ peerNetworkCIDRs: ['10.70.0.0/16'] }));
    assert.equal(first.status, 201, first.text);
    const clash = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel({ peerNetworkCIDRs: ['10.70.5.0/24'] }));
    assertIonosError(clash, 409, /properties\.peerNetworkCIDRs/, 'PEER_NETWORKS_OVERLAP');
    assert.match(clash.text, new RegExp(`the tunnel ${first.body.id}`));
    assert.equal((await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel({ peerNetworkCIDRs: ['10.71.0.0/16'] }))).status, 201);
  });
});
