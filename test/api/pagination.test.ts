import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ipsecGateway, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const BASE = 'http://vpn.test';

describe('pagination of collections', () => {
  let svc: TestService;
  /** The seven WireGuard gateways, in the order the contract requires: creation time, then id. */
  let ordered: string[];

  before(async () => {
    svc = await startTestService();
    const created: { id: string; createdDate: string }[] = [];
    for (let n = 0; n < 7; n++) {
      const res = await svc.request('POST', '/wireguardgateways', wireguardGateway({ name: `gw-${n}` }));
      assert.equal(res.status, 201, res.text);
      created.push({ id: res.body.id, createdDate: res.body.metadata.createdDate });
    }
    ordered = [...created]
      .sort((a, b) => (a.createdDate === b.createdDate ? (a.id < b.id ? -1 : 1) : a.createdDate < b.createdDate ? -1 : 1))
      .map((g) => g.id);
    // Another kind must not show up in (or be counted by) the WireGuard collection.
    assert.equal((await svc.request('POST', '/ipsecgateways', ipsecGateway())).status, 201);
  });
  after(async () => { await svc.stop(); });

  const page = async (query: string) => {
    const res = await svc.request('GET', `/wireguardgateways${query}`);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    return res.body;
  };
  const link = (offset: number, limit: number) => `${BASE}/wireguardgateways?offset=${offset}&limit=${limit}`;

  test('defaults: offset 0, limit 100, the collection envelope, only self in _links when everything fits', async () => {
    const body = await page('');
    assert.deepEqual(Object.keys(body).sort(), ['_links', 'href', 'id', 'items', 'limit', 'offset', 'type']);
    assert.equal(body.type, 'collection');
    assert.equal(body.href, `${BASE}/wireguardgateways`);
    assert.equal(body.offset, 0);
    assert.equal(body.limit, 100);
    assert.deepEqual(body._links, { self: link(0, 100) });
    assert.deepEqual(body.items.map((i: { id: string }) => i.id), ordered);
    assert.ok(body.items.every((i: { type: string }) => i.type === 'wireguardgateway'));
  });

  test('pages of 3 over 7 gateways: links, counts and a stable order (creation time, then id)', async () => {
    const first = await page('?limit=3');
    assert.equal(first.offset, 0);
    assert.equal(first.limit, 3);
    assert.deepEqual(first._links, { self: link(0, 3), next: link(3, 3) });

    const second = await page('?offset=3&limit=3');
    assert.deepEqual(second._links, { prev: link(0, 3), self: link(3, 3), next: link(6, 3) });

    const third = await page('?offset=6&limit=3');
    assert.deepEqual(third._links, { prev: link(3, 3), self: link(6, 3) });
    assert.equal(third.items.length, 1);

    const ids = [...first.items, ...second.items, ...third.items].map((i: { id: string }) => i.id);
    assert.deepEqual(ids, ordered, 'the pages together are the whole collection, each gateway once, in order');
  });

  test('next appears only while offset + limit < total; prev never goes below 0', async () => {
    assert.equal((await page('?offset=4&limit=3'))._links.next, undefined, '4 + 3 = 7 = total');
    assert.equal((await page('?offset=3&limit=3'))._links.next, link(6, 3), '3 + 3 < 7');
    assert.equal((await page('?offset=0&limit=7'))._links.next, undefined);
    assert.equal((await page('?offset=0&limit=6'))._links.next, link(6, 6));
    assert.equal((await page('?offset=1&limit=3'))._links.prev, link(0, 3));
  });

  test('an offset beyond the end gives no items (and no next)', async () => {
    const body = await page('?offset=50&limit=10');
    assert.deepEqual(body.items, []);
    assert.equal(body.offset, 50);
    assert.equal(body._links.next, undefined);
    assert.equal(body._links.self, link(50, 10));
    assert.ok(body._links.prev, 'offset > 0 has a prev link');
  });

  test('the order does not change when a gateway is replaced (it is by creation, not modification)', async () => {
    const firstId = ordered[0] ?? '';
    const put = await svc.request('PUT', `/wireguardgateways/${firstId}`, wireguardGateway({ name: 'modified' }));
    assert.equal(put.status, 200, put.text);
    assert.deepEqual((await page('?limit=1000')).items.map((i: { id: string }) => i.id), ordered);
  });

  test('unknown query parameters (ionosctl\'s depth, order-by, filter.*) are ignored next to offset and limit', async () => {
    const body = await page('?depth=1&offset=2&limit=2&order-by=name&filter.name=gw-0');
    assert.deepEqual(body.items.map((i: { id: string }) => i.id), ordered.slice(2, 4));
    assert.deepEqual(body._links, { prev: link(0, 2), self: link(2, 2), next: link(4, 2) });
  });

  test('a child collection pages the same way, with links under its gateway', async () => {
    const g = ordered[1] ?? '';
    const peers: string[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer({ name: `p${n}`, publicKey: peerKey(n) }));
      assert.equal(res.status, 201, res.text);
      peers.push(res.body.id);
    }
    const all = (await svc.request('GET', `/wireguardgateways/${g}/peers`)).body;
    assert.equal(all.href, `${BASE}/wireguardgateways/${g}/peers`);
    assert.equal(all.type, 'collection');
    assert.equal(all.limit, 100);
    assert.deepEqual(all._links, { self: `${BASE}/wireguardgateways/${g}/peers?offset=0&limit=100` });
    const expected = all.items.map((i: { id: string }) => i.id);
    assert.deepEqual([...expected].sort(), [...peers].sort());
    const byCreation = [...all.items]
      .sort((a, b) => (a.metadata.createdDate === b.metadata.createdDate ? (a.id < b.id ? -1 : 1) : a.metadata.createdDate < b.metadata.createdDate ? -1 : 1))
      .map((i: { id: string }) => i.id);
    assert.deepEqual(expected, byCreation, 'peers in creation order, then id');

    const childLink = (offset: number, limit: number) => `${BASE}/wireguardgateways/${g}/peers?offset=${offset}&limit=${limit}`;
    const collected: string[] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const res = await svc.request('GET', `/wireguardgateways/${g}/peers?offset=${offset}&limit=2`);
      assert.equal(res.status, 200);
      assert.equal(res.body._links.self, childLink(offset, 2));
      assert.equal(res.body._links.prev, offset > 0 ? childLink(offset - 2, 2) : undefined);
      assert.equal(res.body._links.next, offset + 2 < 5 ? childLink(offset + 2, 2) : undefined);
      collected.push(...res.body.items.map((i: { id: string }) => i.id));
    }
    assert.deepEqual(collected, expected);
    const beyond = (await svc.request('GET', `/wireguardgateways/${g}/peers?offset=9`)).body;
    assert.deepEqual(beyond.items, []);
    const other = (await svc.request('GET', `/wireguardgateways/${ordered[2]}/peers`)).body;
    assert.deepEqual(other.items, [], 'another gateway\'s peers are its own');
  });
});
