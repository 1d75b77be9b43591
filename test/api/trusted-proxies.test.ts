import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { loadConfig } from '../../src/config.ts';
import type { AuditRecord } from '../../src/store/store.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { basicAuth, ADMIN_EMAIL, startTestService, type TestService } from '../support/test-service.ts';

// Real HTTP on loopback: the server's peer is 127.0.0.1, or 127.0.0.2 for a client bound to that
// address (Linux answers the whole of 127.0.0.0/8 on lo), which plays a client that is no proxy.

const CONTRACT = 31000001;
const RATE_LIMIT = 4;
const FORWARDED_A = '198.51.100.77';
const FORWARDED_B = '198.51.100.78';

interface Answer { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON

async function listening(svc: TestService): Promise<string> {
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
}

const fromOtherPeer = new Agent({ localAddress: '127.0.0.2' });
after(() => fromOtherPeer.close());

async function call(svc: TestService, base: string, method: string, path: string, headers: Record<string, string>, options: { body?: unknown; other?: boolean } = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: svc.basic, ...(options.body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    ...(options.other ? { dispatcher: fromOtherPeer } : {}),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function auditedAddresses(svc: TestService): Promise<string[]> {
  const records: AuditRecord[] = (await svc.store.listAuditRecords(CONTRACT, { offset: 0, limit: 1000 })).items;
  return records.map((r) => r.clientIp);
}

const forwarded = (address: string) => ({ 'x-forwarded-for': address });

describe('VPNGW_TRUSTED_PROXIES: the setting', () => {
  test('addresses and CIDRs, IPv4 and IPv6, comma-separated; a bad entry is named', () => {
    const config = loadConfig([], { VPNGW_TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8 ,fd00::/8,::1' });
    assert.deepEqual(config.trustedProxies, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1']);
    assert.deepEqual(loadConfig([], {}).trustedProxies, []);
    assert.deepEqual(loadConfig(['--trusted-proxies', '192.0.2.1'], {}).trustedProxies, ['192.0.2.1']);
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '127.1', '10.0.0.1/', '1.2.3.4.5']) {
      assert.throws(() => loadConfig([], { VPNGW_TRUSTED_PROXIES: `127.0.0.1,${bad}` }),
        (error: Error) => error.name === 'ConfigError' && error.message.includes(`"${bad}"`) && !error.message.includes('\n'));
    }
  });
});

describe('without trusted proxies, X-Forwarded-* is ignored', () => {
  let svc: TestService;
  let base: string;
  before(async () => {
    svc = await startTestService({ env: { VPNGW_RATE_LIMIT: String(RATE_LIMIT), VPNGW_PUBLIC_URL: '' } });
    base = await listening(svc);
  });
  after(() => svc.stop());

  test('a forwarded address is audited as the peer\'s, and every forwarded address counts against the peer\'s rate-limit bucket', async () => {
    const created = await call(svc, base, 'POST', '/wireguardgateways', forwarded(FORWARDED_A), { body: wireguardGateway() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(await auditedAddresses(svc), ['127.0.0.1']);
    const answers = [];
    for (const address of ['192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13']) answers.push((await call(svc, base, 'GET', '/wireguardgateways', forwarded(address))).status);
    assert.deepEqual(answers, [200, 200, 200, 429], 'one bucket: 127.0.0.1');
  });

  test('X-Forwarded-Proto and X-Forwarded-Host do not change the links', async () => {
    const list = await call(svc, base, 'GET', '/wireguardgateways', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }, { other: true });
    assert.equal(list.status, 200, '127.0.0.1 spent its requests above; this client is 127.0.0.2');
    assert.match(list.body.href, /^http:\/\/127\.0\.0\.1:\d+\/wireguardgateways$/);
  });
});

describe('with VPNGW_TRUSTED_PROXIES=127.0.0.1', () => {
  let svc: TestService;
  let base: string;
  before(async () => {
    svc = await startTestService({ env: { VPNGW_RATE_LIMIT: String(RATE_LIMIT), VPNGW_TRUSTED_PROXIES: '127.0.0.1', VPNGW_PUBLIC_URL: '' } });
    base = await listening(svc);
  });
  after(() => svc.stop());

  test('the forwarded client is audited, and each forwarded client has its own rate-limit bucket', async () => {
    const created = await call(svc, base, 'POST', '/wireguardgateways', forwarded(FORWARDED_A), { body: wireguardGateway() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(await auditedAddresses(svc), [FORWARDED_A]);
    const a = [];
    for (let i = 0; i < RATE_LIMIT; i += 1) a.push((await call(svc, base, 'GET', '/wireguardgateways', forwarded(FORWARDED_A))).status);
    assert.deepEqual(a, [200, 200, 200, 429], 'A: one request already spent on the POST');
    assert.equal((await call(svc, base, 'GET', '/wireguardgateways', forwarded(FORWARDED_B))).status, 200, 'B has its own bucket');
    // A client may add its own X-Forwarded-For: the proxy appends the address it saw, and that one counts.
    assert.equal((await call(svc, base, 'GET', '/wireguardgateways', forwarded(`${FORWARDED_A}, 192.0.2.99`))).status, 200);
  });

  test('a forged X-Forwarded-For from a peer that is no listed proxy changes nothing', async () => {
    const before = (await auditedAddresses(svc)).length;
    const created = await call(svc, base, 'POST', '/wireguardgateways', forwarded('192.0.2.200'), { body: wireguardGateway({ name: 'direct' }), other: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const addresses = await auditedAddresses(svc);
    assert.equal(addresses.length, before + 1);
    assert.ok(addresses.includes('127.0.0.2'), addresses.join(' '));
    assert.ok(!addresses.includes('192.0.2.200'));
  });

  test('the links follow X-Forwarded-Proto and -Host from the proxy only', async () => {
    const proxied = await call(svc, base, 'GET', '/wireguardgateways', { ...forwarded('192.0.2.30'), 'x-forwarded-proto': 'https', 'x-forwarded-host': 'vpn.example.com' });
    assert.equal(proxied.status, 200);
    assert.equal(proxied.body.href, 'https://vpn.example.com/wireguardgateways');
    const direct = await call(svc, base, 'GET', '/wireguardgateways', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }, { other: true });
    assert.equal(direct.status, 200);
    assert.match(direct.body.href, /^http:\/\/127\.0\.0\.1:\d+\/wireguardgateways$/);
  });
});

describe('the login throttle counts the forwarded client behind a trusted proxy', () => {
  let svc: TestService;
  let base: string;
  before(async () => {
    svc = await startTestService({ env: { VPNGW_TRUSTED_PROXIES: '127.0.0.0/8' } });
    base = await listening(svc);
  });
  after(() => svc.stop());

  test('failed logins from one forwarded client throttle that client, not another behind the same proxy', async () => {
    const wrong = { authorization: basicAuth(ADMIN_EMAIL, 'not-the-password') };
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await call(svc, base, 'GET', '/wireguardgateways', { ...wrong, ...forwarded(FORWARDED_A) })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    assert.equal((await call(svc, base, 'GET', '/wireguardgateways', forwarded(FORWARDED_A))).status, 429, 'A, even with the right password');
    assert.equal((await call(svc, base, 'GET', '/wireguardgateways', forwarded(FORWARDED_B))).status, 200, 'B logs in');
  });
});
