import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertIonosError } from '../support/api-assertions.ts';
import { basicAuth, startTestService, type TestService } from '../support/test-service.ts';
import { wireguardGateway, wireguardPeer } from '../support/fixtures.ts';

describe('hostile and odd input', () => {
  let svc: TestService;
  let gatewayId = '';
  before(async () => {
    svc = await startTestService();
    gatewayId = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
  });
  after(async () => { await svc.stop(); });

  test('a deeply nested body is 400, not a crash', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 3000; i += 1) deep = [deep];
    assertIonosError(await svc.request('POST', '/wireguardgateways', { properties: { ...wireguardGateway().properties, extra: deep } }), 400);
    assertIonosError(await svc.request('POST', '/cloudapi/v6/um/groups', { properties: { name: 'g', extra: deep } }), 400);
  });

  test('an object where a string belongs is a type error, not "absent"', async () => {
    assertIonosError(await svc.request('PUT', `/wireguardgateways/${gatewayId}`, wireguardGateway({ description: { a: null } })), 400, /properties\.description/);
    assertIonosError(await svc.request('PUT', `/wireguardgateways/${gatewayId}`, wireguardGateway({ privateKey: {} })), 400, /properties\.privateKey/);
    assertIonosError(await svc.request('POST', `/wireguardgateways/${gatewayId}/peers`, wireguardPeer({ endpoint: { port: 'x' } })), 400, /endpoint/);
  });

  test('unknown fields are dropped, never stored (a secret sent under another name included)', async () => {
    const res = await svc.request('POST', `/wireguardgateways/${gatewayId}/peers`, wireguardPeer({ presharedKey: 'SECRET-PSK-VALUE', extra: { a: 1 } }));
    assert.equal(res.status, 201, res.text);
    const stored = await svc.store.findChild(gatewayId, 'peer', res.body.id);
    assert.deepEqual(Object.keys(stored?.properties ?? {}).sort(), ['allowedIPs', 'endpoint', 'name', 'publicKey']);
    assert.ok(!JSON.stringify(stored).includes('SECRET-PSK-VALUE'));
  });

  test('passwords keep their spaces', async () => {
    const created = await svc.request('POST', '/cloudapi/v6/um/users', { properties: { email: 'spaces@example.com', password: '  spaced pass  ' } });
    assert.equal(created.status, 202, created.text);
    const exact = await svc.request('GET', '/auth/v1/tokens', undefined, { authorization: basicAuth('spaces@example.com', '  spaced pass  ') });
    assert.equal(exact.status, 200);
  });

  test('malformed URLs and over-long ids answer in the IONOS error shape', async () => {
    assertIonosError(await svc.request('GET', '/wireguardgateways/%zz'), 400);
    const long = await svc.request('GET', `/wireguardgateways/${'a'.repeat(10_000)}`);
    assert.ok(long.status >= 400 && long.status < 500);
    assertIonosError(long, long.status);
  });

  test('a gateway cannot take a peer\'s public key as its own', async () => {
    const peerPrivate = 'cHJpdmF0ZS1rZXktb2YtdGhlLXBlZXItMzItYnl0ZXM=';
    const { wireguardPublicKey } = await import('../../src/domain/wireguard-keys.ts');
    const gw = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    assert.equal((await svc.request('POST', `/wireguardgateways/${gw}/peers`, wireguardPeer({ publicKey: wireguardPublicKey(peerPrivate) }))).status, 201);
    assertIonosError(await svc.request('PUT', `/wireguardgateways/${gw}`, wireguardGateway({ privateKey: peerPrivate })), 422, /privateKey/);
  });
});

test('a request whose headers are too large gets 431 in the IONOS error shape over a real socket', async () => {
  const svc = await startTestService();
  try {
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = svc.app.server.address() as import('node:net').AddressInfo;
    const { connect } = await import('node:net');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      let text = '';
      socket.on('data', (d) => { text += d; });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 431 /);
    assert.match(raw, /content-type: application\/json/i);
    assert.deepEqual(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).httpStatus, 431);
  } finally {
    await svc.stop();
  }
});
