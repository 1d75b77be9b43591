import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';
import { DATACENTER_ID, GATEWAY_PRIVATE_KEY, GATEWAY_PUBLIC_KEY, wireguardGateway } from '../support/fixtures.ts';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

describe('WireGuard gateways', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  test('POST creates: 201, Location, full envelope, defaults, derived public key, no private key', async () => {
    const res = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    assert.equal(res.status, 201);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const g = res.body;
    assert.deepEqual(Object.keys(g).sort(), ['href', 'id', 'metadata', 'properties', 'type']);
    assert.equal(g.type, 'wireguardgateway');
    assert.equal(g.href, `http://vpn.test/wireguardgateways/${g.id}`);
    assert.equal(res.headers.location, g.href);
    assert.equal(g.metadata.status, 'PROVISIONING');
    assert.equal(g.metadata.publicKey, GATEWAY_PUBLIC_KEY);
    assert.match(g.metadata.createdDate, RFC3339_UTC);
    assert.match(g.metadata.lastModifiedDate, RFC3339_UTC);
    assert.equal(g.metadata.createdBy, 'admin@example.com');
    assert.match(g.metadata.createdByUserId, /^[0-9a-f-]{36}$/);
    assert.match(g.metadata.resourceURN, new RegExp(`^ionos:vpn:de-fra:\\d+:wireguardgateways/${g.id}$`));
    assert.equal(g.properties.listenPort, 51820);
    assert.equal(g.properties.tier, 'STANDARD');
    assert.match(g.properties.maintenanceWindow.time, /^\d{2}:\d{2}:\d{2}$/);
    assert.match(g.properties.maintenanceWindow.dayOfTheWeek, /^(Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day$/);
    assert.equal(g.properties.privateKey, undefined);
    assert.ok(!res.text.includes(GATEWAY_PRIVATE_KEY));
    assert.equal(g.properties.description, undefined, 'optional fields not given are omitted');
    const read = await svc.request('GET', `/wireguardgateways/${g.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.properties, g.properties);
  });

  test('the SDK 2.x shape: empty strings and nulls mean absent, keys with a trailing newline are accepted', async () => {
    const res = await svc.request('POST', '/wireguardgateways', {
      metadata: {},
      properties: {
        name: 'sdk', description: '', gatewayIP: '192.0.2.11', interfaceIPv4CIDR: '172.16.1.1/24', interfaceIPv6CIDR: '',
        connections: [{ datacenterId: DATACENTER_ID, lanId: '1', ipv4CIDR: '192.168.2.1/24', ipv6CIDR: '' }],
        privateKey: `${GATEWAY_PRIVATE_KEY}\n`, listenPort: null, tier: '', maintenanceWindow: { time: '', dayOfTheWeek: '' },
      },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.properties.listenPort, 51820);
    assert.equal(res.body.properties.description, undefined);
    assert.equal(res.body.properties.interfaceIPv6CIDR, undefined);
    assert.equal(res.body.properties.connections[0].ipv6CIDR, undefined);
    assert.equal(res.body.metadata.publicKey, GATEWAY_PUBLIC_KEY);
  });

  test('PUT on a new id creates with that id and answers 200', async () => {
    const id = '85c79b4b-5b40-470a-b788-58dd46ea71e2';
    const res = await svc.request('PUT', `/wireguardgateways/${id}`, { id, ...wireguardGateway({ listenPort: 51000 }) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, id);
    assert.equal(res.body.properties.listenPort, 51000);
    assert.equal((await svc.request('GET', `/wireguardgateways/${id}`)).status, 200);
  });

  test('PUT replaces the whole resource: left-out fields return to defaults or become absent', async () => {
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway({
      description: 'first', listenPort: 51001, tier: 'PREMIUM', maintenanceWindow: { time: '10:00:00', dayOfTheWeek: 'Friday' },
    }));
    const id = created.body.id;
    const replaced = await svc.request('PUT', `/wireguardgateways/${id}`, wireguardGateway({ name: 'renamed' }));
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.properties.name, 'renamed');
    assert.equal(replaced.body.properties.description, undefined);
    assert.equal(replaced.body.properties.listenPort, 51820);
    assert.equal(replaced.body.properties.tier, 'STANDARD');
    assert.notDeepEqual(replaced.body.properties.maintenanceWindow, { time: '10:00:00', dayOfTheWeek: 'Friday' });
    assert.equal(replaced.body.metadata.createdDate, created.body.metadata.createdDate);
    assert.equal(replaced.body.metadata.status, 'PROVISIONING');
  });

  test('PUT replacing without privateKey keeps the stored key; PUT creating without it is 400', async () => {
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    const { privateKey: _k, ...withoutKey } = wireguardGateway().properties;
    const kept = await svc.request('PUT', `/wireguardgateways/${created.body.id}`, { id: '', properties: { ...withoutKey, privateKey: '' } });
    assert.equal(kept.status, 200, kept.text);
    assert.equal(kept.body.metadata.publicKey, GATEWAY_PUBLIC_KEY);
    const fresh = await svc.request('PUT', '/wireguardgateways/0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e5f', { properties: withoutKey });
    assert.equal(fresh.status, 400);
    assert.match(fresh.body.messages[0].message, /properties\.privateKey/);
  });

  test('PUT with a body id different from the path id is 400; a non-UUID path id is 400', async () => {
    const res = await svc.request('PUT', '/wireguardgateways/0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e50', {
      id: '0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e51', ...wireguardGateway(),
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.messages[0].errorCode, 'ID_MISMATCH');
    const bad = await svc.request('PUT', '/wireguardgateways/not-a-uuid', wireguardGateway());
    assert.equal(bad.status, 400);
    assert.match(bad.body.messages[0].message, /gatewayId/);
  });

  test('unknown ids are 404 in the IONOS error shape; DELETE answers 202 with no body, then the gateway is gone', async () => {
    const missing = await svc.request('GET', '/wireguardgateways/0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e52');
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.body).sort(), ['httpStatus', 'messages']);
    assert.equal(missing.body.httpStatus, 404);
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    const deleted = await svc.request('DELETE', `/wireguardgateways/${created.body.id}`);
    assert.equal(deleted.status, 202);
    assert.equal(deleted.text, '');
    await eventually(async () => (await svc.request('GET', `/wireguardgateways/${created.body.id}`)).status === 404, 5000, 'gateway removal');
    assert.equal((await svc.request('DELETE', '/wireguardgateways/0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e52')).status, 404);
  });

  test('ionosctl habits: unknown query parameters ignored, repeated slashes folded, Accept/Connection headers', async () => {
    const res = await svc.request('POST', '//wireguardgateways?depth=1&limit=50&offset=0&order-by=name&filter.name=x', wireguardGateway(), {
      accept: 'application/json', connection: 'close',
    });
    assert.equal(res.status, 201, res.text);
    const list = await svc.request('GET', '//wireguardgateways/?depth=1&filter.name=x');
    assert.equal(list.status, 200);
  });
});
