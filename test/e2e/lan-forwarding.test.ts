import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lanLegName, wireguardInterfaceName } from '../../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { espProposal, ikeProposal } from '../../src/render/ipsec-proposals.ts';
import type { Security } from '../../src/schemas/ipsec.ts';
import { gatewayNs, interfaceAddresses } from './support/gateway-host.ts';
import { attachLan, contractOf, createDatacenter } from './support/operator.ts';
import { startRemoteCharon } from './support/remote-side.ts';
import { settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { expectEcho, startEchoServer } from './support/tcp-echo.ts';
import { createTopology } from './support/topology.ts';
import { latestHandshake, requireWgQuick, startWireguardClient } from './support/wireguard-client.ts';

// One datacenter with two LANs. LAN 1 (192.168.1.0/24) is served by a WireGuard gateway at .100 and
// an IPSec gateway at .101; LAN 2 (172.16.5.0/24) is added to the WireGuard gateway while it runs.
const DATACENTER = 'b7e1f1a4-2c3d-4e5f-8a9b-0c1d2e3f4a5b';
const LAN_ONE = { datacenterId: DATACENTER, lanId: '1', ipv4CIDR: '192.168.1.100/24' };
const LAN_TWO = { datacenterId: DATACENTER, lanId: '2', ipv4CIDR: '172.16.5.1/24' };
const ECHO_PORT = 7001;
const SECURITY: Security = { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 };

test('peers and sites reach the machines on the gateways\' LANs, by ping and TCP, and a LAN added to a running gateway', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await createTopology({ gatewayIPs: ['192.0.2.1', '192.0.2.11'] });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const service = svc;
    await createDatacenter(service, await contractOf(service), DATACENTER);
    const lanOne = await attachLan(service, topology, { ...LAN_ONE, addresses: ['192.168.1.10/24'], routes: [{ to: '10.9.0.0/24', via: '192.168.1.100' }, { to: '10.2.1.0/24', via: '192.168.1.101' }] });
    const lanTwo = await attachLan(service, topology, { ...LAN_TWO, addresses: ['172.16.5.10/24'], routes: [{ to: '10.9.0.0/24', via: '172.16.5.1' }] });
    for (const [lan, marker] of [[lanOne, 'lan-one'], [lanTwo, 'lan-two']] as const) topology.killAtCleanup((await startEchoServer(lan.ns, lan.address, ECHO_PORT, marker)).pid);

    const wireguardProperties = (connections: unknown[]) => ({ name: 'lan-e2e', gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.9.0.1/24', listenPort: 51820, connections });
    const created = await service.request('POST', '/wireguardgateways', { properties: { ...wireguardProperties([LAN_ONE]), privateKey: generateWireguardKeyPair().privateKey } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    // The client has a site of its own: the IPSec site's routes (charon's table 220) would take its LAN-bound packets.
    const clientSite = await topology.addUplinkSite('192.0.2.21');
    const client = await startWireguardClient(topology, service, {
      ns: clientSite, name: 'a', gatewayId, allowedIPs: ['10.9.0.2/32'], endpoint: { host: '192.0.2.21', port: 51901 },
    });
    const settled = await settledGateway(service, 'wireguardgateways', gatewayId);
    assert.equal(settled.metadata.status, 'AVAILABLE', JSON.stringify(settled.metadata));

    await t.test('a WireGuard client brought up from the CLI\'s wg-quick file pings the LAN machine and talks TCP with it', async () => {
      assert.match(client.config, /AllowedIPs = .*192\.168\.1\.0\/24/, 'the printed file routes the LAN through the tunnel');
      await eventually('a ping from the client to the LAN machine', () => pingOnce(clientSite, client.address, lanOne.address), 30_000);
      await expectEcho(clientSite, lanOne.address, ECHO_PORT, client.address, 'lan-one');
    });

    await t.test('a LAN added to the running gateway is reachable, and the peer\'s session is kept', async () => {
      const ns = gatewayNs(gatewayId);
      const ifname = wireguardInterfaceName(gatewayId);
      const handshake = await latestHandshake(ns, ifname, client.publicKey);
      const ifindex = JSON.parse(await sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', ifname]))[0].ifindex;
      assert.ok(handshake > 0, 'the client has a session');
      const put = await service.request('PUT', `/wireguardgateways/${gatewayId}`, { properties: wireguardProperties([LAN_ONE, LAN_TWO]) });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
      const leg = lanLegName(gatewayId, DATACENTER, LAN_TWO.lanId);
      await eventually('the new LAN leg with its address', async () => (await interfaceAddresses(ns, leg)).includes(LAN_TWO.ipv4CIDR));
      // The client's file was printed before the LAN existed: route the new network the way a re-printed file would.
      await nsExec(clientSite, 'wg', ['set', client.ifname, 'peer', created.body.metadata.publicKey, 'allowed-ips', '10.9.0.0/24,192.168.1.0/24,172.16.5.0/24']);
      await sh('ip', ['-n', clientSite, 'route', 'add', '172.16.5.0/24', 'dev', client.ifname]);
      await eventually('a ping from the client to the new LAN\'s machine', () => pingOnce(clientSite, client.address, lanTwo.address), 15_000);
      await expectEcho(clientSite, lanTwo.address, ECHO_PORT, client.address, 'lan-two');
      assert.equal(await latestHandshake(ns, ifname, client.publicKey), handshake, 'the peer kept its handshake');
      assert.equal(JSON.parse(await sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', ifname]))[0].ifindex, ifindex, 'the WireGuard interface was not recreated');
      const status = await service.request('GET', `/wireguardgateways/${gatewayId}/status`);
      const lans = (status.body.properties.lans as Array<{ lanId: string; present: boolean; interfaceName: string }>).map((l) => [l.lanId, l.present, l.interfaceName]).sort();
      assert.deepEqual(lans, [['1', true, lanLegName(gatewayId, DATACENTER, '1')], ['2', true, leg]]);
      await expectEcho(clientSite, lanOne.address, ECHO_PORT, client.address, 'lan-one');
    });

    await t.test('an IPSec site\'s subnet host pings the LAN machine and talks TCP with it through the tunnel', async () => {
      await sh('ip', ['-n', topology.remote, 'addr', 'add', '10.2.1.1/24', 'dev', 'lo']);
      const psk = 'a-psk-for-the-lan-forwarding-site';
      await startRemoteCharon(topology, service.dataDir, [{
        name: 'site', gatewayAddress: '192.0.2.11', localAddress: '192.0.2.2', localTs: '10.2.1.0/24', remoteTs: '192.168.1.0/24', psk,
        ikeProposal: ikeProposal(SECURITY), espProposal: espProposal(SECURITY),
      }]);
      const gateway = await service.request('POST', '/ipsecgateways', { properties: { name: 'lan-e2e', gatewayIP: '192.0.2.11', connections: [{ ...LAN_ONE, ipv4CIDR: '192.168.1.101/24' }] } });
      assert.equal(gateway.status, 201, JSON.stringify(gateway.body));
      const tunnel = await service.request('POST', `/ipsecgateways/${gateway.body.id}/tunnels`, { properties: {
        name: 'site', remoteHost: '192.0.2.2', auth: { method: 'PSK', psk: { key: psk } }, ike: SECURITY, esp: SECURITY,
        cloudNetworkCIDRs: ['192.168.1.0/24'], peerNetworkCIDRs: ['10.2.1.0/24'],
      } });
      assert.equal(tunnel.status, 201, JSON.stringify(tunnel.body));
      const settledIpsec = await settledGateway(service, 'ipsecgateways', gateway.body.id);
      assert.equal(settledIpsec.metadata.status, 'AVAILABLE', JSON.stringify(settledIpsec.metadata));
      await eventually('a ping from the site to the LAN machine', () => pingOnce(topology.remote, '10.2.1.1', lanOne.address), 60_000);
      await expectEcho(topology.remote, lanOne.address, ECHO_PORT, '10.2.1.1', 'lan-one');
      await expectEcho(clientSite, lanOne.address, ECHO_PORT, client.address, 'lan-one');
    });
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
