import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertIonosError } from '../support/api-assertions.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('while the store is unreachable', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  test('requests answer 503 in the IONOS shape without internals, /readyz 503, /healthz still 200', async () => {
    // Simulates a store outage on the live service object (the real store is restored afterwards).
    const store = svc.store as unknown as Record<string, unknown>;
    const saved = { listGateways: store.listGateways, ping: store.ping };
    store.listGateways = async () => { throw unreachable(); };
    store.ping = async () => { throw unreachable(); };
    try {
      const res = await svc.request('GET', '/wireguardgateways');
      assertIonosError(res, 503, undefined, 'STORE_UNAVAILABLE');
      assert.ok(!res.text.includes('5432') && !res.text.includes('ECONNREFUSED'), 'no internals in the message');
      const notReady = await svc.request('GET', '/readyz', undefined, { authorization: '' });
      assert.equal(notReady.status, 503);
      assert.equal(notReady.body.httpStatus, 503);
      assert.deepEqual(notReady.body.messages, [{ errorCode: 'NOT_READY', message: 'store: not reachable' }]);
      assert.equal(notReady.body.checks.store, 'not reachable');
      assert.equal((await svc.request('GET', '/healthz', undefined, { authorization: '' })).status, 200);
    } finally {
      Object.assign(store, saved);
    }
    assert.equal((await svc.request('GET', '/wireguardgateways')).status, 200);
    assert.equal((await svc.request('GET', '/readyz', undefined, { authorization: '' })).status, 200);
  });
});
