import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertIonosError } from '../support/api-assertions.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { countingPasswordChecks } from '../support/password-checks.ts';
import { ADMIN_EMAIL, basicAuth, startTestService } from '../support/test-service.ts';

const CLIENT = '198.51.100.20';

test('the rate limit counts every request, with wrong or no credentials too, before any password check', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ env: { VPNGW_RATE_LIMIT: '5' }, verifyPassword: checks.verify });
  try {
    // Five different accounts, so that the login throttle (five failures per account and address) stays out of it.
    for (let i = 0; i < 5; i += 1) {
      assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, { authorization: basicAuth(`user-${i}@example.com`, 'wrong') }, CLIENT), 401);
    }
    const beyond: Record<string, string>[] = [
      { authorization: basicAuth(ADMIN_EMAIL, 'wrong') },
      { authorization: '' },
      { authorization: 'Bearer not-a-token' },
      {},
    ];
    for (const headers of beyond) {
      const res = await svc.request('GET', '/wireguardgateways', undefined, headers, CLIENT);
      assertIonosError(res, 429, undefined, 'RATE_LIMITED');
      assert.match(String(res.headers['retry-after']), /^[1-9][0-9]*$/);
    }
    assert.equal(checks.stats.count, 5, 'a rate-limited request costs no password check, even with the right password');
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, {}, '198.51.100.21')).status, 200, 'other addresses are not limited');
  } finally {
    await svc.stop();
  }
});

test('a rate-limited request leaves no audit record and has no effect', async () => {
  const svc = await startTestService({ env: { VPNGW_RATE_LIMIT: '3' } });
  try {
    for (let i = 0; i < 3; i += 1) assert.equal((await svc.request('GET', '/wireguardgateways', undefined, {}, CLIENT)).status, 200);
    assertIonosError(await svc.request('POST', '/wireguardgateways', wireguardGateway({ name: 'limited' }), {}, CLIENT), 429);
    assertIonosError(await svc.request('DELETE', '/auth/v1/tokens?criteria=ALL', undefined, {}, CLIENT), 429);
    const records = await svc.store.listAuditRecords(31000001, { offset: 0, limit: 100 });
    assert.deepEqual(records.items.map((r) => `${r.operation} ${r.httpStatus}`), []);
    assert.equal((await svc.store.listGateways(31000001, 'wireguard', { offset: 0, limit: 100 })).total, 0);
  } finally {
    await svc.stop();
  }
});

test('health probes and /metrics are never rate-limited; the metrics count the refused requests', async () => {
  const svc = await startTestService({ env: { VPNGW_RATE_LIMIT: '2' } });
  try {
    for (let i = 0; i < 4; i += 1) await svc.request('GET', '/wireguardgateways', undefined, {}, CLIENT);
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, {}, CLIENT), 429);
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await svc.request('GET', '/healthz', undefined, {}, CLIENT)).status, 200);
      assert.equal((await svc.request('GET', '/readyz', undefined, {}, CLIENT)).status, 200);
    }
    const metrics = await svc.request('GET', '/metrics', undefined, { authorization: '' }, CLIENT);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^vpngw_http_rate_limited_total 3$/m);
  } finally {
    await svc.stop();
  }
});
