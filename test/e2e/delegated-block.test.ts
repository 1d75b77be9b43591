import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uplinkLegName } from '../../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { expectNothingLeft, gatewayNs, interfaceAddresses } from './support/gateway-host.ts';
import { attachLan, contractOf, createDatacenter } from './support/operator.ts';
import { CONNECTIONS, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology } from './support/topology.ts';
import { requireWgQuick, startWireguardClient } from './support/wireguard-client.ts';

// The host is 192.0.2.1/24 on its uplink, with its default route via the upstream 192.0.2.2 (the
// remote namespace, which also runs the WireGuard client). The operator delegated 192.0.2.64/28 to
// the host; the upstream delivers its addresses on-link (it ARPs for them). None is on the host.
const BLOCK = '192.0.2.64/28';
const GATEWAY_IP = '192.0.2.70';

const global = (addresses: string[]) => addresses.filter((a) => !a.startsWith('fe80:'));

/** Every address on every interface of a namespace, as `a.b.c.d/len`. */
async function addressesIn(ns: string): Promise<string[]> {
  const links = JSON.parse(await sh('ip', ['-n', ns, '-j', 'addr', 'show'])) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
}

test('a gatewayIP from a block delegated to the host is assigned to the gateway, carries a WireGuard client to the LAN, and is released on delete', { timeout: 120_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await createTopology();
  let svc: E2eService | undefined;
  try {
    await sh('ip', ['-n', topology.host, 'route', 'add', 'default', 'via', '192.0.2.2']);
    // No =INTERFACE: the block is on the interface of the host's default route, the uplink.
    svc = await startService(topology, { env: { VPNGW_DELEGATED_BLOCKS: BLOCK } });
    const service = svc;
    const lan = CONNECTIONS[0];
    assert.ok(lan);
    await createDatacenter(service, await contractOf(service), lan.datacenterId);
    const machine = await attachLan(service, topology, { ...lan, addresses: ['192.168.1.10/24'], routes: [{ to: '10.9.0.0/24', via: '192.168.1.100' }] });

    const created = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'delegated', gatewayIP: GATEWAY_IP, interfaceIPv4CIDR: '10.9.0.1/24', listenPort: 51820, connections: CONNECTIONS,
      privateKey: generateWireguardKeyPair().privateKey,
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    const client = await startWireguardClient(topology, service, { ns: topology.remote, name: 'd', gatewayId, allowedIPs: ['10.9.0.2/32'] });
    const settled = await settledGateway(service, 'wireguardgateways', gatewayId);
    assert.equal(settled.metadata.status, 'AVAILABLE', JSON.stringify(settled.metadata));

    const ns = gatewayNs(gatewayId);
    const leg = uplinkLegName(gatewayId);
    assert.deepEqual(global(await interfaceAddresses(ns, leg)), [`${GATEWAY_IP}/32`], 'the gateway\'s uplink leg holds the address alone, as a /32');
    assert.deepEqual(global(await interfaceAddresses(topology.host, topology.uplink)), ['192.0.2.1/24'], 'the host interface did not get or lose an address');
    assert.match(await nsExec(ns, 'ip', ['-4', 'route', 'show', 'default']), new RegExp(`^default via 192\\.0\\.2\\.2 dev ${leg} onlink`));

    await eventually('a ping from the WireGuard client to the LAN machine', () => pingOnce(topology.remote, client.address, machine.address), 30_000);

    // The record keeps the lease delegated: a restarted service neither takes the address from the host nor gives it back.
    await service.restart();
    assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
    assert.deepEqual(global(await interfaceAddresses(ns, leg)), [`${GATEWAY_IP}/32`]);
    assert.ok(await pingOnce(topology.remote, client.address, machine.address), 'the client still reaches the LAN machine after a restart');

    assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}`)).status, 202);
    await eventually('the gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${gatewayId}`)).status === 404);
    await expectNothingLeft(service, topology, { id: gatewayId, kind: 'wireguard', connections: CONNECTIONS });
    for (const where of [topology.host, topology.remote, machine.ns]) {
      assert.ok(!(await addressesIn(where)).some((a) => a.startsWith(`${GATEWAY_IP}/`)), `${GATEWAY_IP} is on no interface in ${where}`);
    }
    assert.equal(await pingOnce(topology.remote, '192.0.2.2', GATEWAY_IP), false, `nothing answers for ${GATEWAY_IP} any more`);
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
