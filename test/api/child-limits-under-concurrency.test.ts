import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MAX_PEERS_PER_GATEWAY, MAX_TUNNELS_PER_GATEWAY } from '../../src/domain/defaults.ts';
import { ipsecGateway, ipsecTunnel, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { postgresUnavailable } from '../support/postgres-database.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const ATTEMPTS = 30;

/**
 * A gateway's limit of peers and tunnels holds when the requests race for real: a listening port,
 * one connection per request, all sent at once. Run on each engine in every pass (not only in the
 * PostgreSQL pass), since only PostgreSQL runs the transactions side by side.
 */
for (const engine of ['SQLite', ...(postgresUnavailable() ? [] : ['PostgreSQL'])]) {
  describe(`the peer and tunnel limits under concurrent POSTs (${engine})`, () => {
    let svc: TestService;
    let base = '';
    before(async () => {
      svc = await startTestService({ postgres: engine === 'PostgreSQL' });
      await svc.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    });
    after(async () => { await svc.stop(); });

    const post = (path: string, body: unknown) => fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: svc.basic, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string; messages?: Array<{ errorCode: string }> } }));

    async function assertExactlyTheLimit(collection: string, limit: number, child: (n: number) => unknown) {
      const results = await Promise.all(Array.from({ length: ATTEMPTS }, (_, n) => post(collection, child(n))));
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, limit, String(statuses));
      assert.equal(statuses.filter((s) => s === 422).length, ATTEMPTS - limit, String(statuses));
      for (const r of results.filter((x) => x.status === 422)) assert.equal(r.body.messages?.[0]?.errorCode, 'LIMIT_EXCEEDED');
      const listed = await svc.request('GET', collection);
      assert.equal(listed.body.items.length, limit);
      assert.deepEqual(new Set(listed.body.items.map((i: { id: string }) => i.id)), new Set(results.filter((r) => r.status === 201).map((r) => r.body.id)));
    }

    test(`${ATTEMPTS} simultaneous peer POSTs on one gateway: exactly ${MAX_PEERS_PER_GATEWAY} created, the rest 422`, async () => {
      const gateway = await post('/wireguardgateways', wireguardGateway());
      assert.equal(gateway.status, 201);
      await assertExactlyTheLimit(`/wireguardgateways/${gateway.body.id}/peers`, MAX_PEERS_PER_GATEWAY,
        (n) => wireguardPeer({ name: `concurrent-${n}`, publicKey: peerKey(100 + n), allowedIPs: [`10.9.${n}.0/24`] }));
    });

    test(`${ATTEMPTS} simultaneous tunnel POSTs on one gateway: exactly ${MAX_TUNNELS_PER_GATEWAY} created, the rest 422`, async () => {
      const gateway = await post('/ipsecgateways', ipsecGateway());
      assert.equal(gateway.status, 201);
      await assertExactlyTheLimit(`/ipsecgateways/${gateway.body.id}/tunnels`, MAX_TUNNELS_PER_GATEWAY,
        (n) => ipsecTunnel({ name: `concurrent-${n}`, remoteHost: `198.51.100.${n + 1}`, peerNetworkCIDRs: [`10.9.${n}.0/24`] }));
    });
  });
}
