import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { wireguardPublicKey } from '../../src/domain/wireguard-keys.ts';
import { waitForStatus } from '../support/api-assertions.ts';
import { ipsecGateway, ipsecTunnel, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { ADMIN_PASSWORD, startTestService, type TestService } from '../support/test-service.ts';
import pg from 'pg';

// Secrets of this test only, so that a hit can only come from these requests.
const PRIVATE_KEY = Buffer.alloc(32, 0x5c).toString('base64');
const OTHER_PRIVATE_KEY = Buffer.alloc(32, 0x3e).toString('base64');
const TUNNEL_PSK = 'psk-that-must-stay-secret-4711';
const OTHER_PSK = 'second-psk-never-to-be-seen-0815';

describe('secrets: never returned, never logged, encrypted at rest', () => {
  let svc: TestService;
  let gatewayId: string;
  let ipsecId: string;
  let tunnelId: string;
  let token: string;

  before(async () => {
    svc = await startTestService();
    const gw = await svc.request('POST', '/wireguardgateways', wireguardGateway({ privateKey: PRIVATE_KEY }));
    assert.equal(gw.status, 201, gw.text);
    gatewayId = gw.body.id;
    const ip = await svc.request('POST', '/ipsecgateways', ipsecGateway());
    ipsecId = ip.body.id;
    const tunnel = await svc.request('POST', `/ipsecgateways/${ipsecId}/tunnels`, ipsecTunnel({ auth: { method: 'PSK', psk: { key: TUNNEL_PSK } } }));
    assert.equal(tunnel.status, 201, tunnel.text);
    tunnelId = tunnel.body.id;

    // Requests that fail with the secrets in them.
    const json = { 'content-type': 'application/json' };
    const peer = await svc.request('POST', `/wireguardgateways/${gatewayId}/peers`, wireguardPeer());
    assert.equal(peer.status, 201, peer.text);
    const failures: [number, () => Promise<{ status: number }>][] = [
      [400, () => svc.request('POST', '/wireguardgateways', wireguardGateway({ privateKey: OTHER_PRIVATE_KEY, gatewayIP: OTHER_PRIVATE_KEY }))],
      [400, () => svc.request('POST', '/wireguardgateways', wireguardGateway({ privateKey: OTHER_PRIVATE_KEY, name: 'n'.repeat(256) }))],
      [400, () => svc.request('POST', '/wireguardgateways', wireguardGateway({ privateKey: OTHER_PRIVATE_KEY.slice(0, 43) }))],
      [400, () => svc.request('PUT', `/wireguardgateways/${gatewayId}`, wireguardGateway({ privateKey: OTHER_PRIVATE_KEY, listenPort: OTHER_PRIVATE_KEY }))],
      [400, () => svc.request('POST', '/wireguardgateways', `{"properties":{"privateKey":"${OTHER_PRIVATE_KEY}",`, json)],
      [400, () => svc.request('POST', `/ipsecgateways/${ipsecId}/tunnels`, ipsecTunnel({ auth: { psk: { key: OTHER_PSK } }, remoteHost: OTHER_PSK }))],
      [400, () => svc.request('POST', `/ipsecgateways/${ipsecId}/tunnels`, ipsecTunnel({ auth: { psk: { key: OTHER_PSK } }, ike: { lifetime: OTHER_PSK } }))],
      [400, () => svc.request('POST', `/ipsecgateways/${ipsecId}/tunnels`, `{"properties":{"auth":{"psk":{"key":"${OTHER_PSK}"}}}`, json)],
      // 409s with a secret in the body: ids taken by another kind of resource, a duplicate peer key.
      [409, () => svc.request('PUT', `/wireguardgateways/${ipsecId}`, wireguardGateway({ privateKey: OTHER_PRIVATE_KEY }))],
      [409, () => svc.request('PUT', `/ipsecgateways/${ipsecId}/tunnels/${peer.body.id}`, ipsecTunnel({ auth: { psk: { key: OTHER_PSK } } }))],
      [409, () => svc.request('POST', `/wireguardgateways/${gatewayId}/peers`, wireguardPeer())],
      [413, () => svc.request('POST', '/wireguardgateways', JSON.stringify(wireguardGateway({ privateKey: OTHER_PRIVATE_KEY, description: 'x'.repeat(1 << 20) })), json)],
      [401, () => svc.request('GET', '/wireguardgateways', undefined, { authorization: `Basic ${Buffer.from(`admin@example.com:${OTHER_PSK}`).toString('base64')}` })],
    ];
    for (const [expected, send] of failures) assert.equal((await send()).status, expected);

    const issued = await svc.request('GET', '/auth/v1/tokens/generate');
    assert.equal(issued.status, 200, issued.text);
    token = issued.body.token;
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, { authorization: `Bearer ${token}` })).status, 200);
    await waitForStatus(svc, `/ipsecgateways/${ipsecId}`, 'AVAILABLE');
    await waitForStatus(svc, `/wireguardgateways/${gatewayId}`, 'AVAILABLE');
  });
  after(async () => { await svc.stop(); });

  test('no response carries the private key or the PSK', async () => {
    const reads = [
      `/wireguardgateways/${gatewayId}`, '/wireguardgateways', `/ipsecgateways/${ipsecId}/tunnels/${tunnelId}`, `/ipsecgateways/${ipsecId}/tunnels`,
    ];
    for (const path of reads) {
      const res = await svc.request('GET', path);
      assert.equal(res.status, 200, path);
      for (const secret of [PRIVATE_KEY, TUNNEL_PSK]) assert.ok(!res.text.includes(secret), `${path} returns a secret`);
      assert.ok(!/privateKey|"psk"/.test(res.text), `${path}: ${res.text}`);
    }
  });

  test('the logs hold none of the secrets: private keys, PSKs, the admin password, credentials or tokens', () => {
    const logs = svc.logs.join('');
    assert.ok(svc.logs.length > 10, 'requests were logged');
    const basicCredential = svc.basic.slice('Basic '.length);
    const forbidden: [string, string][] = [
      ['the private key', PRIVATE_KEY], ['the refused private key', OTHER_PRIVATE_KEY], ['the PSK', TUNNEL_PSK], ['the refused PSK', OTHER_PSK],
      ['the admin password', ADMIN_PASSWORD], ['the Basic credential', basicCredential], ['the bearer token', token],
    ];
    for (const [what, secret] of forbidden) {
      const line = svc.logs.find((l) => l.includes(secret));
      assert.equal(line, undefined, `${what} is in the logs: ${line?.slice(0, 300)}`);
    }
    assert.ok(!/Basic [A-Za-z0-9+/=]{8,}/.test(logs), 'no Basic credential in any form');
    assert.ok(!/Bearer [A-Za-z0-9._-]{8,}/.test(logs), 'no Bearer token in any form');
  });

  test('headers outside the logged set (Proxy-Authorization, API keys) never reach the log', async () => {
    await svc.request('GET', '/wireguardgateways', undefined, { 'proxy-authorization': 'Basic cHJveHktc2VjcmV0', 'x-api-key': 'api-key-not-for-logs' });
    const logs = svc.logs.join('\n');
    assert.ok(!logs.includes('cHJveHktc2VjcmV0') && !logs.includes('api-key-not-for-logs'));
  });

  test('a logged Authorization header shows as [REDACTED]', () => {
    const withAuth = svc.logs.filter((l) => /"authorization"/i.test(l));
    assert.ok(withAuth.length > 0, 'request headers are logged at debug level');
    for (const line of withAuth) assert.match(line, /"authorization":"\[REDACTED\]"/i);
  });

  test('the store (SQLite file and WAL, or every PostgreSQL row) holds neither the private key nor the PSK in plain text', async () => {
    const bytes = await storedBytes(svc);
    assert.ok(bytes.length > 0);
    assert.ok(bytes.includes(Buffer.from(wireguardPublicKey(PRIVATE_KEY))), 'the check can see stored values (the public key is stored)');
    for (const [what, secret] of [['private key', PRIVATE_KEY], ['PSK', TUNNEL_PSK], ['admin password', ADMIN_PASSWORD]] as const) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `the ${what} is stored in plain text`);
    }
    assert.equal(bytes.includes(Buffer.from(PRIVATE_KEY, 'base64')), false, 'the raw private key bytes are stored');
  });

  test('the secret-encryption key and the database are readable by the owner only (0600)', () => {
    for (const name of svc.databaseUrl ? ['secret.key'] : ['secret.key', 'vpngw.sqlite']) {
      const mode = statSync(join(svc.dataDir, name)).mode & 0o777;
      assert.equal(mode, 0o600, `${name} has mode ${mode.toString(8)}`);
    }
  });
});

/** Everything the store holds, as bytes: the SQLite files, or every row of every PostgreSQL table as text. */
async function storedBytes(svc: TestService): Promise<Buffer> {
  if (!svc.databaseUrl) {
    const db = join(svc.dataDir, 'vpngw.sqlite');
    return Buffer.concat(['', '-wal', '-shm'].map((suffix) => `${db}${suffix}`).filter(existsSync).map((p) => readFileSync(p)));
  }
  const client = new pg.Client({ connectionString: svc.databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    const dumps = await Promise.all(tables.rows.map((t) => client.query(`SELECT * FROM "${t.tablename}"`)));
    return Buffer.from(JSON.stringify(dumps.map((d) => d.rows)));
  } finally {
    await client.end();
  }
}
