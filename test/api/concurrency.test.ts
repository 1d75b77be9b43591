import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestService, type TestService } from '../support/test-service.ts';
import { wireguardGateway } from '../support/fixtures.ts';

/** Requests that race each other for real: a listening port and parallel fetches, not queued injections. */
describe('racing writers', () => {
  let svc: TestService;
  let base = '';
  before(async () => {
    svc = await startTestService();
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
  });
  after(async () => { await svc.stop(); });

  const send = (method: string, path: string, body: unknown) =>
    fetch(`${base}${path}`, { method, headers: { authorization: svc.basic, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as { httpStatus?: number } }));

  test('ten simultaneous PUTs creating one gateway id: one gateway, no 5xx', async () => {
    const id = '6f1c2a9e-4b7d-4e21-9c3a-0d5e8f7a6b40';
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => send('PUT', `/wireguardgateways/${id}`, wireguardGateway({ name: `racer-${n}` }))));
    for (const r of results) assert.ok(r.status === 200 || r.status === 409, `status ${r.status}`);
    assert.ok(results.some((r) => r.status === 200));
    const list = await svc.request('GET', '/wireguardgateways');
    assert.equal(list.body.items.filter((g: { id: string }) => g.id === id).length, 1);
  });

  test('ten simultaneous user creations with one email: exactly one user, the rest 409', async () => {
    const body = { properties: { email: 'race@example.com', password: 'race-password' } };
    const results = await Promise.all(Array.from({ length: 10 }, () => send('POST', '/cloudapi/v6/um/users', body)));
    assert.deepEqual(results.map((r) => r.status).sort(), [202, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const users = await svc.request('GET', '/cloudapi/v6/um/users');
    assert.equal(users.body.items.filter((u: { properties: { email: string } }) => u.properties.email === 'race@example.com').length, 1);
  });
});
