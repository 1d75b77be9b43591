import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { assembleService } from '../../src/service-assembly.ts';
import { ADMIN_EMAIL, basicAuth, startTestService, type TestService } from '../support/test-service.ts';
import { PSK, GATEWAY_PRIVATE_KEY, ipsecGateway, ipsecTunnel, wireguardGateway } from '../support/fixtures.ts';
import { assertIonosError } from '../support/api-assertions.ts';
import { manualClock } from '../support/manual-clock.ts';

const run = promisify(execFile);

describe('tokens', () => {
  let svc: TestService;
  const clock = manualClock();
  before(async () => { svc = await startTestService({ now: clock.now }); });
  after(async () => { await svc.stop(); });

  const issue = async (ttl?: number) => (await svc.request('GET', `/auth/v1/tokens/generate${ttl ? `?ttl=${ttl}` : ''}`)).body.token as string;
  const asBearer = (token: string) => ({ authorization: `Bearer ${token}` });

  test('generate (default one year, or ttl), list without the token text, revoke one: refused at once', async () => {
    const token = await issue();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    assert.ok(Math.abs(claims.exp - claims.iat - 365 * 24 * 3600) <= 1);
    const short = await issue(600);
    const listed = await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(token));
    assert.equal(listed.status, 200);
    assert.ok(listed.body.tokens.length >= 2);
    for (const t of listed.body.tokens) assert.deepEqual(Object.keys(t).sort(), ['createdDate', 'expirationDate', 'href', 'id']);
    assert.ok(!listed.text.includes(token));
    const shortId = JSON.parse(Buffer.from(short.split('.')[1] ?? '', 'base64url').toString()).jti;
    assert.deepEqual((await svc.request('DELETE', `/auth/v1/tokens/${shortId}`)).body, { success: true });
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, asBearer(short)), 401);
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, asBearer(token))).status, 200);
    assertIonosError(await svc.request('DELETE', `/auth/v1/tokens/${shortId}`), 404);
    assertIonosError(await svc.request('GET', '/auth/v1/tokens/generate?ttl=abc'), 400, /ttl/);
  });

  test('revoke by criteria: CURRENT, EXPIRED, ALL', async () => {
    const current = await issue();
    const other = await issue();
    assert.equal((await svc.request('DELETE', '/auth/v1/tokens?criteria=CURRENT', undefined, asBearer(current))).status, 200);
    assertIonosError(await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(current)), 401);
    assert.equal((await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(other))).status, 200);
    const expiring = await issue(1);
    assert.equal((await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(expiring))).status, 200);
    clock.advance(1000);
    assertIonosError(await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(expiring)), 401);
    await svc.request('DELETE', '/auth/v1/tokens?criteria=EXPIRED');
    const left = (await svc.request('GET', '/auth/v1/tokens')).body.tokens.map((t: { id: string }) => t.id);
    const expiringId = JSON.parse(Buffer.from(expiring.split('.')[1] ?? '', 'base64url').toString()).jti;
    assert.ok(!left.includes(expiringId));
    assert.equal((await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(other))).status, 200, 'EXPIRED keeps valid tokens');
    assertIonosError(await svc.request('DELETE', '/auth/v1/tokens?criteria=CURRENT'), 400);
    await svc.request('DELETE', '/auth/v1/tokens?criteria=ALL');
    assertIonosError(await svc.request('GET', '/auth/v1/tokens', undefined, asBearer(other)), 401);
  });

  test('a token signed with another key, or tampered with, is 401', async () => {
    const token = await issue();
    const [h, p] = token.split('.');
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, asBearer(`${h}.${p}.${'A'.repeat(43)}`)), 401);
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, { authorization: 'Bearer not-a-jwt' }), 401);
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, { authorization: 'Digest abc' }), 401);
  });
});

test('rotating the signing key invalidates the tokens issued before', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-rotate-'));
  const env = { VPNGW_DATA_DIR: dataDir, VPNGW_ADMIN_EMAIL: ADMIN_EMAIL, VPNGW_ADMIN_PASSWORD: 'rotate-password', VPNGW_LOG_LEVEL: 'silent' };
  const start = async (key: string) => assembleService(loadConfig([], { ...env, VPNGW_TOKEN_SIGNING_KEY: key }), createLogger('silent'));
  try {
    const first = await start(randomBytes(32).toString('base64'));
    const basic = basicAuth(ADMIN_EMAIL, 'rotate-password');
    const token = JSON.parse((await first.app.inject({ url: '/auth/v1/tokens/generate', headers: { authorization: basic } })).body).token;
    assert.equal((await first.app.inject({ url: '/wireguardgateways', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
    await first.close();
    const second = await start(randomBytes(32).toString('base64'));
    assert.equal((await second.app.inject({ url: '/wireguardgateways', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
    await second.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('abuse resistance', () => {
  test('rate limit: 429 with an integer Retry-After and the IONOS body, before any side effect', async () => {
    const svc = await startTestService({ env: { VPNGW_RATE_LIMIT: '5' } });
    try {
      for (let i = 0; i < 5; i += 1) assert.notEqual((await svc.request('GET', '/wireguardgateways')).status, 429);
      const limited = await svc.request('POST', '/wireguardgateways', wireguardGateway({ name: 'must-not-exist' }));
      assertIonosError(limited, 429);
      assert.match(String(limited.headers['retry-after']), /^[0-9]+$/);
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      const gateways = await svc.store.listGateways(31000001, 'wireguard', { offset: 0, limit: 100 });
      assert.equal(gateways.total, 0, 'a rate-limited POST created nothing');
    } finally {
      await svc.stop();
    }
  });
});

describe('audit trail', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  test('every authenticated mutating request is recorded with who, what, on which resource and the outcome; no secrets', async () => {
    const gw = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body;
    const ipsec = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body;
    await svc.request('POST', `/ipsecgateways/${ipsec.id}/tunnels`, ipsecTunnel());
    await svc.request('DELETE', '/wireguardgateways/0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e5f');
    await svc.request('GET', `/wireguardgateways/${gw.id}`);
    assertIonosError(await svc.request('POST', '/wireguardgateways', wireguardGateway(), { authorization: '' }), 401);
    const records = await svc.request('GET', '/audit/v1/records');
    assert.equal(records.status, 200);
    const ops = records.body.items.map((r: { operation: string; httpStatus: number; outcome: string }) => `${r.operation} ${r.httpStatus} ${r.outcome}`);
    assert.deepEqual(ops, [
      'POST /wireguardgateways 201 success',
      'POST /ipsecgateways 201 success',
      'POST /ipsecgateways/:gatewayId/tunnels 201 success',
      'DELETE /wireguardgateways/:gatewayId 404 failure',
    ]);
    const first = records.body.items[0];
    assert.equal(first.resourceId, gw.id);
    assert.equal(first.userEmail, ADMIN_EMAIL);
    assert.match(first.date, /Z$/);
    assert.ok(!records.text.includes(PSK) && !records.text.includes(GATEWAY_PRIVATE_KEY));

    await svc.auth.createContract('auditor@other.example', 'other-password');
    const theirs = await svc.request('GET', '/audit/v1/records', undefined, { authorization: basicAuth('auditor@other.example', 'other-password') });
    assert.equal(theirs.body.items.length, 0, 'another contract sees none of these records');
  });
});

describe('vpngw contract create', () => {
  test('creates a contract with its administrator, printed number, accepted by a running server at once', async () => {
    const svc = await startTestService();
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'contract', 'create', '--admin-email', 'tenant@example.org'], {
        env: { ...process.env, ...svc.env, VPNGW_CONTRACT_ADMIN_PASSWORD: 'tenant-password' },
      });
      assert.match(stdout.trim(), /^[0-9]+$/);
      assert.notEqual(stdout.trim(), '31000001');
      const tenant = { authorization: basicAuth('tenant@example.org', 'tenant-password') };
      assert.equal((await svc.request('GET', '/wireguardgateways', undefined, tenant)).status, 200);
      assert.equal((await svc.request('POST', '/wireguardgateways', wireguardGateway(), tenant)).status, 201);
      const users = await svc.request('GET', '/cloudapi/v6/um/users', undefined, tenant);
      assert.deepEqual(users.body.items.map((u: { properties: { email: string } }) => u.properties.email), ['tenant@example.org']);
      const again = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'contract', 'create', '--admin-email', 'tenant@example.org'], {
        env: { ...process.env, ...svc.env, VPNGW_CONTRACT_ADMIN_PASSWORD: 'tenant-password' },
      }).catch((error: { code: number; stderr: string }) => error);
      assert.equal((again as { code: number }).code, 1);
    } finally {
      await svc.stop();
    }
  });
});
