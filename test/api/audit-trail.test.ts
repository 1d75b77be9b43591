import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { assembleService } from '../../src/service-assembly.ts';
import type { AuditRecord } from '../../src/store/store.ts';
import { ipsecGateway, ipsecTunnel, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { runOnDatabase } from '../support/raw-database.ts';
import { eventually, startTestService, type TestResponse, type TestService } from '../support/test-service.ts';

const CONTRACT = 31000001;
const DAY_MS = 24 * 3600_000;
const NOT_IN_TRANSACTION = /without an audit record in its transaction/;

const refuseAuditInserts = {
  sqlite: "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_records BEGIN SELECT RAISE(ABORT, 'the audit trail is full'); END;",
  postgres: `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit trail is full'; END $$;
    CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION refuse_audit();`,
};
const allowAuditInserts = { sqlite: 'DROP TRIGGER refuse_audit;', postgres: 'DROP TRIGGER refuse_audit ON audit_records; DROP FUNCTION refuse_audit();' };

async function allRecords(svc: TestService): Promise<AuditRecord[]> {
  return (await svc.store.listAuditRecords(CONTRACT, { offset: 0, limit: 100_000 })).items;
}

function auditRecord(date: Date, requestId: string = randomUUID()): AuditRecord {
  return {
    id: randomUUID(), contractNumber: CONTRACT, userId: 'u', userEmail: 'someone@example.com', operation: 'POST /wireguardgateways',
    resourceId: null, httpStatus: 201, outcome: 'success', requestId, clientIp: '192.0.2.1', date: date.toISOString(),
  };
}

describe('the audit record commits with the change it records', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  test('a change whose audit record cannot be stored is neither made nor acknowledged', async () => {
    const gateway = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id as string;
    await runOnDatabase(svc, refuseAuditInserts);
    try {
      const refused: TestResponse[] = [
        await svc.request('POST', '/wireguardgateways', wireguardGateway({ name: 'unrecorded' })),
        await svc.request('PUT', `/wireguardgateways/${gateway}`, wireguardGateway({ name: 'renamed, unrecorded' })),
        await svc.request('POST', `/wireguardgateways/${gateway}/peers`, wireguardPeer()),
        await svc.request('DELETE', `/wireguardgateways/${gateway}`),
        await svc.request('POST', '/cloudapi/v6/um/groups', { properties: { name: 'unrecorded' } }),
      ];
      for (const res of refused) assert.equal(res.status, 500, res.text);
    } finally {
      await runOnDatabase(svc, allowAuditInserts);
    }
    const gateways = await svc.request('GET', '/wireguardgateways');
    assert.deepEqual(gateways.body.items.map((g: { id: string; properties: { name: string } }) => [g.id, g.properties.name]), [[gateway, 'My Company Gateway']]);
    assert.equal(gateways.body.items[0].metadata.status === 'DESTROYING', false);
    assert.equal((await svc.request('GET', `/wireguardgateways/${gateway}/peers`)).body.items.length, 0);
    assert.equal((await svc.request('GET', '/cloudapi/v6/um/groups')).body.items.length, 0);
  });

  test('every mutating operation that succeeds has exactly one record, written in its transaction', async () => {
    const sent: Array<{ requestId: string; res: TestResponse; resourceId: string }> = [];
    const send = async (method: string, url: string, body?: unknown, resourceId?: (res: TestResponse) => string) => {
      const requestId = `audit-${sent.length}-${randomUUID()}`;
      const res = await svc.request(method, url, body, { 'x-request-id': requestId });
      assert.ok(res.status >= 200 && res.status < 300, `${method} ${url}: ${res.status} ${res.text}`);
      sent.push({ requestId, res, resourceId: resourceId?.(res) ?? url.split('/').filter((p) => /^[0-9a-f-]{36}$/.test(p)).at(-1) ?? '' });
      return res;
    };
    const created = (res: TestResponse) => res.body.id as string;
    const wg = (await send('POST', '/wireguardgateways', wireguardGateway({ name: 'audited' }), created)).body.id;
    await send('PUT', `/wireguardgateways/${wg}`, wireguardGateway({ name: 'audited again' }));
    const peer = (await send('POST', `/wireguardgateways/${wg}/peers`, wireguardPeer({ publicKey: peerKey(7) }), created)).body.id;
    await send('PUT', `/wireguardgateways/${wg}/peers/${peer}`, wireguardPeer({ publicKey: peerKey(7), name: 'renamed' }));
    await send('DELETE', `/wireguardgateways/${wg}/peers/${peer}`);
    const ipsec = (await send('POST', '/ipsecgateways', ipsecGateway(), created)).body.id;
    const tunnel = (await send('POST', `/ipsecgateways/${ipsec}/tunnels`, ipsecTunnel(), created)).body.id;
    await send('DELETE', `/ipsecgateways/${ipsec}/tunnels/${tunnel}`);
    await send('DELETE', `/ipsecgateways/${ipsec}`);
    await send('DELETE', `/wireguardgateways/${wg}`);
    const user = (await send('POST', '/cloudapi/v6/um/users', { properties: { email: 'audited@example.com', password: 'a-long-password' } }, created)).body.id;
    await send('PUT', `/cloudapi/v6/um/users/${user}`, { properties: { email: 'audited@example.com', firstname: 'Audi' } });
    const group = (await send('POST', '/cloudapi/v6/um/groups', { properties: { name: 'audited' } }, created)).body.id;
    await send('PUT', `/cloudapi/v6/um/groups/${group}`, { properties: { name: 'audited', accessAndManageVpn: true } });
    await send('POST', `/cloudapi/v6/um/groups/${group}/users`, { id: user });
    await send('DELETE', `/cloudapi/v6/um/groups/${group}/users/${user}`);
    await send('DELETE', `/cloudapi/v6/um/groups/${group}`);
    await send('DELETE', `/cloudapi/v6/um/users/${user}`);
    const token = await svc.request('GET', '/auth/v1/tokens/generate');
    const tokenId = JSON.parse(Buffer.from(String(token.body.token).split('.')[1] ?? '', 'base64url').toString()).jti as string;
    await send('DELETE', `/auth/v1/tokens/${tokenId}`);
    await send('DELETE', '/auth/v1/tokens?criteria=EXPIRED', undefined, () => '');
    assert.equal(sent.length, 20);

    const records = await allRecords(svc);
    for (const { requestId, res, resourceId } of sent) {
      const mine = records.filter((r) => r.requestId === requestId);
      assert.equal(mine.length, 1, `${requestId}: ${mine.length} records`);
      const [record] = mine;
      assert.equal(record?.httpStatus, res.status, requestId);
      assert.equal(record?.outcome, 'success', requestId);
      assert.equal(record?.resourceId ?? '', resourceId, `${requestId}: ${record?.operation}`);
    }
    const late = svc.logs.find((line) => NOT_IN_TRANSACTION.test(line));
    assert.equal(late, undefined, `a change was recorded after its answer: ${late}`);
  });

  test('a refused write is recorded once, as a failure with the status it got', async () => {
    const cases: Array<[string, string, unknown, number]> = [
      ['DELETE', `/wireguardgateways/${randomUUID()}`, undefined, 404],
      ['POST', '/wireguardgateways', wireguardGateway({ gatewayIP: 'not an address' }), 400],
      ['PUT', `/cloudapi/v6/um/users/${randomUUID()}`, { properties: { email: 'nobody@example.com' } }, 404],
    ];
    for (const [method, url, body, status] of cases) {
      const requestId = `refused-${randomUUID()}`;
      assert.equal((await svc.request(method, url, body, { 'x-request-id': requestId })).status, status);
      const mine = await eventually(async () => {
        const found = (await allRecords(svc)).filter((r) => r.requestId === requestId);
        return found.length > 0 ? found : undefined;
      }, 5000, `the record of ${method} ${url}`);
      assert.deepEqual(mine.map((r) => [r.httpStatus, r.outcome]), [[status, 'failure']]);
    }
  });
});

describe('audit retention (VPNGW_AUDIT_RETENTION_DAYS)', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService({ env: { VPNGW_AUDIT_RETENTION_DAYS: '30' } }); });
  after(async () => { await svc.stop(); });

  test('records older than the retention period are deleted, in batches, newer ones kept', async () => {
    const now = Date.now();
    const expired = Array.from({ length: 2500 }, (_, n) => auditRecord(new Date(now - 31 * DAY_MS - n * 1000)));
    for (const record of expired) await svc.store.insertAuditRecord(record);
    const kept = auditRecord(new Date(now - 29 * DAY_MS), 'kept');
    await svc.store.insertAuditRecord(kept);
    assert.equal((await svc.request('POST', '/wireguardgateways', wireguardGateway(), { 'x-request-id': 'fresh' })).status, 201);

    assert.equal(await svc.auditRetention.sweep(), 2500);
    const left = (await allRecords(svc)).map((r) => r.requestId);
    assert.deepEqual(left, ['kept', 'fresh']);
    assert.equal(await svc.auditRetention.sweep(), 0);
  });

  test('a service that starts deletes the expired records at once; 0 keeps them for ever', async () => {
    await svc.store.insertAuditRecord(auditRecord(new Date(Date.now() - 400 * DAY_MS), 'ancient'));
    const quiet = createLogger('silent', new Writable({ write(_chunk, _enc, done) { done(); } }));
    const forever = await assembleService(loadConfig([], { ...svc.env, VPNGW_AUDIT_RETENTION_DAYS: '0' }), quiet);
    try {
      assert.equal(await forever.auditRetention.sweep(), 0);
      assert.ok((await allRecords(svc)).some((r) => r.requestId === 'ancient'));
    } finally {
      await forever.close();
    }
    const second = await assembleService(loadConfig([], svc.env), quiet);
    try {
      await eventually(async () => !(await allRecords(svc)).some((r) => r.requestId === 'ancient'), 5000, 'the expired record to go');
    } finally {
      await second.close();
    }
  });
});
