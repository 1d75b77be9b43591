import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ipsecGateway, ipsecTunnel, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

/** A PUT replaces a gateway's own properties only: its peers and tunnels are children it keeps, unchanged. */
describe('a gateway PUT keeps its peers and tunnels', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  const childrenOf = async (path: string) => {
    const res = await svc.request('GET', path);
    assert.equal(res.status, 200, res.text);
    return res.body.items.map((c: { id: string; properties: unknown }) => ({ id: c.id, properties: c.properties }));
  };

  for (const [kind, collection, segment, gatewayBody, childBody] of [
    ['WireGuard', 'wireguardgateways', 'peers', wireguardGateway, (n: number) => wireguardPeer({ name: `peer-${n}`, publicKey: peerKey(n), allowedIPs: [`10.9.${n}.0/24`] })],
    ['IPSec', 'ipsecgateways', 'tunnels', ipsecGateway, (n: number) => ipsecTunnel({ name: `tunnel-${n}`, peerNetworkCIDRs: [`10.9.${n}.0/24`] })],
  ] as const) {
    test(`${kind}: a PUT that renames the gateway (with and without its secret) leaves every ${segment.slice(0, -1)} as it was`, async () => {
      const gateway = await svc.request('POST', `/${collection}`, gatewayBody());
      assert.equal(gateway.status, 201, gateway.text);
      const id = gateway.body.id as string;
      for (let n = 0; n < 3; n += 1) assert.equal((await svc.request('POST', `/${collection}/${id}/${segment}`, childBody(n))).status, 201);
      const before = await childrenOf(`/${collection}/${id}/${segment}`);
      assert.equal(before.length, 3);

      const renamed = await svc.request('PUT', `/${collection}/${id}`, gatewayBody({ name: 'renamed' }));
      assert.equal(renamed.status, 200, renamed.text);
      const { privateKey: _kept, ...withoutSecret } = gatewayBody({ name: 'renamed again' }).properties as Record<string, unknown>;
      assert.equal((await svc.request('PUT', `/${collection}/${id}`, { properties: withoutSecret })).status, 200);

      assert.equal((await svc.request('GET', `/${collection}/${id}`)).body.properties.name, 'renamed again');
      assert.deepEqual(await childrenOf(`/${collection}/${id}/${segment}`), before);
      for (const child of before) assert.equal((await svc.request('GET', `/${collection}/${id}/${segment}/${child.id}`)).status, 200);
    });
  }
});
