import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DatacenterAdministration } from '../../src/service/datacenter-admin.ts';
import { assertIonosError } from '../support/api-assertions.ts';
import { connection, ipsecGateway, wireguardGateway } from '../support/fixtures.ts';
import { basicAuth, startTestService, type TestService } from '../support/test-service.ts';

const A = 31000001;
const DC = '/cloudapi/v6/datacenters';
const B_ADMIN = { email: 'b-admin@example.com', password: 'b-admin-password' };
/** Never seen by any tenant response. */
const HOST_INTERFACE = 'lan-if-secret7';

const gatewayBodies = {
  wireguardgateways: (datacenterId: string, lanId = '2') => wireguardGateway({ connections: [{ ...connection(datacenterId), lanId }] }),
  ipsecgateways: (datacenterId: string, lanId = '2') => ipsecGateway({ connections: [{ ...connection(datacenterId), lanId }] }),
};

describe('datacenters and LANs belong to contracts', () => {
  let svc: TestService;
  let admin: DatacenterAdministration;
  let b = 0;
  const asB = { authorization: basicAuth(B_ADMIN.email, B_ADMIN.password) };

  before(async () => {
    svc = await startTestService();
    admin = new DatacenterAdministration(svc.store);
    b = await svc.auth.createContract(B_ADMIN.email, B_ADMIN.password);
  });
  after(async () => { await svc.stop(); });

  test('the first contract that names a datacenter owns it; its LAN appears unbound; another contract sees neither', async () => {
    const dc = randomUUID();
    const created = await svc.request('POST', '/wireguardgateways', gatewayBodies.wireguardgateways(dc.toUpperCase(), '3'));
    assert.equal(created.status, 201, created.text);

    const list = await svc.request('GET', `${DC}?depth=1`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(Object.keys(list.body).sort(), ['_links', 'href', 'id', 'items', 'limit', 'offset', 'type']);
    assert.equal(list.body.type, 'collection');
    assert.equal(list.body.href, `http://vpn.test${DC}`);
    const item = list.body.items.find((d: { id: string }) => d.id === dc);
    assert.ok(item, 'the claimed datacenter is listed, lower-cased');
    assert.deepEqual(item, (await svc.request('GET', `${DC}/${dc.toUpperCase()}`)).body);
    assert.equal(item.type, 'datacenter');
    assert.equal(item.href, `http://vpn.test${DC}/${dc}`);
    assert.equal(item.metadata.state, 'AVAILABLE');
    assert.deepEqual(item.properties, {
      name: '', location: 'de/fra', version: 1, features: [], secAuthProtection: false, cpuArchitecture: [], ipv6CidrBlock: null,
    });

    const lans = await svc.request('GET', `${DC}/${dc}/lans`);
    assert.equal(lans.status, 200, lans.text);
    assert.deepEqual(lans.body.items.map((l: { id: string }) => l.id), ['3']);
    const lan = await svc.request('GET', `${DC}/${dc}/lans/3`);
    assert.equal(lan.status, 200, lan.text);
    assert.deepEqual({ ...lan.body, metadata: undefined }, {
      id: '3', type: 'lan', href: `http://vpn.test${DC}/${dc}/lans/3`, metadata: undefined,
      properties: { name: '', public: false, ipFailover: [], ipv6CidrBlock: null },
    });
    assert.equal((await svc.store.findLan(dc, '3'))?.hostInterface, null, 'a claimed LAN is bound to no interface');

    const theirs = await svc.request('GET', DC, undefined, asB);
    assert.equal(theirs.status, 200);
    assert.ok(!theirs.body.items.some((d: { id: string }) => d.id === dc), 'another contract does not list it');
  });

  test("another contract's datacenter answers 404 exactly like one that does not exist, on all four routes", async () => {
    const dc = randomUUID();
    assert.equal((await svc.request('POST', '/ipsecgateways', gatewayBodies.ipsecgateways(dc))).status, 201);
    const missing = randomUUID();
    for (const suffix of ['', '/lans', '/lans/2']) {
      const hidden = await svc.request('GET', `${DC}/${dc}${suffix}`, undefined, asB);
      const absent = await svc.request('GET', `${DC}/${missing}${suffix}`, undefined, asB);
      assertIonosError(hidden, 404, undefined, 'NOT_FOUND');
      assert.deepEqual(hidden.body, JSON.parse(absent.text.replaceAll(missing, dc)), suffix);
    }
    assertIonosError(await svc.request('GET', `${DC}/${dc}/lans/9`), 404, /LAN 9/, 'NOT_FOUND');
    assertIonosError(await svc.request('GET', `${DC}/${dc}/lans/nine`), 400, /lanId/);
    assertIonosError(await svc.request('GET', `${DC}/not-a-uuid`), 400, /datacenterId/);
  });

  for (const collection of ['wireguardgateways', 'ipsecgateways'] as const) {
    test(`${collection}: POST and PUT naming another contract's datacenter are 422 naming the connection, and store nothing`, async () => {
      const dc = randomUUID();
      assert.equal((await svc.request('POST', `/${collection}`, gatewayBodies[collection](dc))).status, 201);
      const lansBefore = (await svc.request('GET', `${DC}/${dc}/lans`)).body.items;
      const idsOfB = async () => (await svc.request('GET', `/${collection}`, undefined, asB)).body.items.map((g: { id: string }) => g.id).sort();
      const gatewaysOfB = await idsOfB();
      const refusedMessage = /^properties\.connections\[0\]\.datacenterId names a datacenter that does not belong to this contract\.$/;

      const posted = await svc.request('POST', `/${collection}`, gatewayBodies[collection](dc.toUpperCase(), '7'), asB);
      assertIonosError(posted, 422, refusedMessage, 'DATACENTER_NOT_IN_CONTRACT');
      assert.ok(!posted.text.includes(String(A)), 'the owner is not revealed');
      const putId = randomUUID();
      assertIonosError(await svc.request('PUT', `/${collection}/${putId}`, gatewayBodies[collection](dc, '7'), asB), 422, refusedMessage);

      // B's own gateway, moved into A's datacenter by a PUT: refused, and left as it was.
      const own = randomUUID();
      const mine = await svc.request('PUT', `/${collection}/${own}`, gatewayBodies[collection](randomUUID()), asB);
      assert.equal(mine.status, 200, mine.text);
      assertIonosError(await svc.request('PUT', `/${collection}/${own}`, gatewayBodies[collection](dc, '7'), asB), 422, refusedMessage);
      const after = (await svc.request('GET', `/${collection}/${own}`, undefined, asB)).body;
      assert.deepEqual(after.properties, mine.body.properties, 'the refused PUT changed nothing');
      assert.equal(after.metadata.lastModifiedDate, mine.body.metadata.lastModifiedDate);

      assertIonosError(await svc.request('GET', `/${collection}/${putId}`, undefined, asB), 404);
      assert.deepEqual(await idsOfB(), [...gatewaysOfB, own].sort(), 'no gateway was stored for the refused requests');
      assert.deepEqual((await svc.request('GET', `${DC}/${dc}/lans`)).body.items, lansBefore, 'no LAN 7 was recorded');
      assert.equal((await svc.store.findDatacenter(dc))?.contractNumber, A);
    });
  }

  test('a datacenter the operator declared belongs to its contract from the start, with its name and location', async () => {
    const dc = randomUUID();
    await admin.declareDatacenter({ contractNumber: b, id: dc.toUpperCase(), name: 'fra-east', location: 'de/txl' });
    assertIonosError(await svc.request('POST', '/wireguardgateways', gatewayBodies.wireguardgateways(dc)), 422, /connections\[0\]/, 'DATACENTER_NOT_IN_CONTRACT');
    assert.equal((await svc.request('GET', `${DC}/${dc}`)).status, 404);
    const created = await svc.request('POST', '/ipsecgateways', gatewayBodies.ipsecgateways(dc), asB);
    assert.equal(created.status, 201, created.text);
    const declared = await svc.request('GET', `${DC}/${dc}`, undefined, asB);
    assert.equal(declared.status, 200, declared.text);
    assert.equal(declared.body.properties.name, 'fra-east');
    assert.equal(declared.body.properties.location, 'de/txl');
    const listed = await svc.request('GET', `${DC}?offset=0&limit=1000`, undefined, asB);
    assert.ok(listed.body.items.some((d: { id: string }) => d.id === dc));
    assert.ok(listed.body.items.every((d: { type: string }) => d.type === 'datacenter'));
  });

  test('the host interface a LAN is bound to appears in no tenant response', async () => {
    const dc = randomUUID();
    const gw = await svc.request('POST', '/wireguardgateways', gatewayBodies.wireguardgateways(dc));
    assert.equal(gw.status, 201);
    await admin.bindLan({ datacenterId: dc, lanId: '2', hostInterface: HOST_INTERFACE, name: 'office lan' });
    assert.equal((await svc.store.findLan(dc, '2'))?.hostInterface, HOST_INTERFACE, 'the binding is stored');
    const lan = await svc.request('GET', `${DC}/${dc}/lans/2`);
    assert.equal(lan.body.properties.name, 'office lan', 'the binding came through');
    const responses = await Promise.all([
      DC, `${DC}/${dc}`, `${DC}/${dc}/lans`, `${DC}/${dc}/lans/2`, '/wireguardgateways', `/wireguardgateways/${gw.body.id}`, '/openapi.json',
    ].map((path) => svc.request('GET', path)));
    for (const res of responses) {
      assert.equal(res.status, 200, res.text);
      assert.ok(!res.text.includes(HOST_INTERFACE), `the interface name leaked: ${res.text.slice(0, 200)}`);
      assert.ok(!/host_?interface/i.test(res.text), 'no field for it either');
    }
  });

  test('the datacenter routes need authentication and the VPN privilege', async () => {
    await svc.request('POST', '/cloudapi/v6/um/users', { properties: { email: 'plain-dc@example.com', password: 'plain-password' } });
    for (const path of [DC, `${DC}/${randomUUID()}`, `${DC}/${randomUUID()}/lans`, `${DC}/${randomUUID()}/lans/1`]) {
      assertIonosError(await svc.request('GET', path, undefined, { authorization: '' }), 401);
      assertIonosError(await svc.request('GET', path, undefined, { authorization: basicAuth('plain-dc@example.com', 'plain-password') }), 403);
    }
  });
});

/** Writers that race for real, over a listening port. */
describe('racing claims of one datacenter', () => {
  let svc: TestService;
  let base = '';
  let b = 0;
  before(async () => {
    svc = await startTestService();
    b = await svc.auth.createContract(B_ADMIN.email, B_ADMIN.password);
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
  });
  after(async () => { await svc.stop(); });

  const post = (authorization: string, body: unknown) =>
    fetch(`${base}/wireguardgateways`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } }));

  test('two contracts naming a new datacenter at once: one owns it, the other is refused and has nothing', async () => {
    for (let round = 0; round < 8; round += 1) {
      const dc = randomUUID();
      const [a, other] = await Promise.all([
        post(svc.basic, gatewayBodies.wireguardgateways(dc)),
        post(basicAuth(B_ADMIN.email, B_ADMIN.password), gatewayBodies.wireguardgateways(dc)),
      ]);
      const statuses = [a.status, other.status];
      assert.equal(statuses.filter((s) => s === 201).length, 1, `round ${round}: ${JSON.stringify([a, other])}`);
      assert.ok(statuses.every((s) => s === 201 || s === 409 || s === 422), `round ${round}: ${statuses}`);
      const owner = (await svc.store.findDatacenter(dc))?.contractNumber;
      assert.equal(owner, a.status === 201 ? A : b, 'the winner owns the datacenter');
      const loser = a.status === 201 ? other : a;
      assert.equal(loser.body.id, undefined);
    }
  });

  test('one contract naming a new datacenter from many requests at once: every one succeeds', async () => {
    const dc = randomUUID();
    const results = await Promise.all(Array.from({ length: 6 }, (_, n) => post(svc.basic, gatewayBodies.wireguardgateways(dc, String(n % 2 + 1)))));
    assert.deepEqual(results.map((r) => r.status), [201, 201, 201, 201, 201, 201]);
    assert.deepEqual((await svc.store.listLans(dc, { offset: 0, limit: 10 })).items.map((l) => l.lanId), ['1', '2']);
  });
});
