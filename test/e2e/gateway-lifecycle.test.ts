import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lanLegName } from '../../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { expectNothingLeft, gatewayNs, gatewayProcesses, interfaceAddresses, linkNames } from './support/gateway-host.ts';
import { attachLan, bindLan, contractOf, createDatacenter } from './support/operator.ts';
import { gatewayWithStatus, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, killProcessesIn, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { expectEcho, startEchoServer } from './support/tcp-echo.ts';
import { createTopology, namespaceExists } from './support/topology.ts';
import { requireWgQuick, startWireguardClient } from './support/wireguard-client.ts';

const DATACENTER = 'c4d5e6f7-0a1b-4c2d-8e3f-405162738495';
const LAN = { datacenterId: DATACENTER, lanId: '1', ipv4CIDR: '192.168.1.100/24' };
const LATE_LAN = { datacenterId: DATACENTER, lanId: '7', ipv4CIDR: '192.168.7.1/24' };
const PORT = 7003;
const SECURITY = { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 };

/** The statusMessage names the LAN: its datacenter and its id. */
function assertNamesLan(message: string, lan: { datacenterId: string; lanId: string }) {
  assert.ok(message.includes(lan.datacenterId), `"${message}" names the datacenter`);
  assert.match(message.replace(lan.datacenterId, ''), new RegExp(`\\b${lan.lanId}\\b`), `"${message}" names LAN ${lan.lanId}`);
}

test('a gateway\'s namespace repairs its drift, waits for its LAN, and leaves nothing behind when deleted', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await createTopology({ gatewayIPs: ['192.0.2.1', '192.0.2.11', '192.0.2.12'] });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const service = svc;
    await createDatacenter(service, await contractOf(service), DATACENTER);
    const lan = await attachLan(service, topology, { ...LAN, addresses: ['192.168.1.10/24'], routes: [{ to: '10.9.0.0/24', via: '192.168.1.100' }] });
    topology.killAtCleanup((await startEchoServer(lan.ns, lan.address, PORT, 'lan')).pid);
    const created = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'lifecycle', gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.9.0.1/24', listenPort: 51820, connections: [LAN], privateKey: generateWireguardKeyPair().privateKey,
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    const ns = gatewayNs(gatewayId);
    const site = await topology.addUplinkSite('192.0.2.21');
    const client = await startWireguardClient(topology, service, { ns: site, name: 'a', gatewayId, allowedIPs: ['10.9.0.2/32'], endpoint: { host: '192.0.2.21', port: 51901 } });
    assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
    // After the gateway lost its session, the client starts a new handshake within WireGuard's 15 s.
    const trafficFlows = (timeoutMs = 45_000) => expectEcho(site, lan.address, PORT, client.address, 'lan', timeoutMs);
    await trafficFlows();

    await t.test('drift is repaired: a flushed ruleset, a removed LAN address, a deleted namespace', async () => {
      await nsExec(ns, 'nft', ['flush', 'ruleset']);
      await eventually('the vpngw table to be back', async () => (await nsExec(ns, 'nft', ['list', 'table', 'inet', 'vpngw'], { allowFail: true })).includes('chain'), 10_000);
      await trafficFlows();
      const leg = lanLegName(gatewayId, DATACENTER, LAN.lanId);
      await sh('ip', ['-n', ns, 'addr', 'del', LAN.ipv4CIDR, 'dev', leg]);
      await eventually('the LAN address to be back', async () => (await interfaceAddresses(ns, leg)).includes(LAN.ipv4CIDR), 10_000);
      await trafficFlows();
      for (const pid of gatewayProcesses(service, { id: gatewayId, kind: 'wireguard' })) process.kill(pid, 'SIGKILL');
      killProcessesIn(ns);
      await sh('ip', ['netns', 'del', ns]);
      await eventually('the gateway namespace to be back', () => namespaceExists(ns), 10_000);
      await trafficFlows();
      assert.equal((await service.request('GET', `/wireguardgateways/${gatewayId}`)).body.metadata.status, 'AVAILABLE');
    });

    let lateId = '';
    await t.test('a LAN bound to no interface, then to a missing one, fails the gateway naming the LAN; it recovers by itself when the interface appears', async () => {
      const late = await service.request('POST', '/wireguardgateways', { properties: {
        name: 'late-lan', gatewayIP: '192.0.2.11', interfaceIPv4CIDR: '10.8.0.1/24', listenPort: 51820, connections: [LATE_LAN], privateKey: generateWireguardKeyPair().privateKey,
      } });
      assert.equal(late.status, 201, JSON.stringify(late.body));
      lateId = late.body.id;
      const unbound = await settledGateway(service, 'wireguardgateways', lateId);
      assert.equal(unbound.metadata.status, 'FAILED');
      assertNamesLan(unbound.metadata.statusMessage, LATE_LAN);
      const missing = topology.lanInterfaceName(9);
      await bindLan(service, DATACENTER, LATE_LAN.lanId, missing);
      // The next reconcile pass sees the binding: the message now names the missing interface too.
      const stillFailed = await eventually('the status to name the missing interface', async () => {
        const body = (await service.request('GET', `/wireguardgateways/${lateId}`)).body;
        return String(body.metadata.statusMessage).includes(missing) ? body : undefined;
      }, 10_000);
      assert.equal(stillFailed.metadata.status, 'FAILED');
      assertNamesLan(stillFailed.metadata.statusMessage, LATE_LAN);
      const lateLan = await topology.addLan({ index: 9, addresses: ['192.168.7.10/24'] });
      assert.equal(lateLan.hostInterface, missing);
      await gatewayWithStatus(service, 'wireguardgateways', lateId, 'AVAILABLE', 20_000);
      await eventually('the late LAN\'s machine to reach the gateway', () => pingOnce(lateLan.ns, lateLan.address, '192.168.7.1'), 10_000);
      assert.ok(await pingOnce(site, client.address, lan.address), 'the first gateway still carries traffic');
    });

    await t.test('deleting the gateways leaves nothing of them: namespaces, legs, processes, files; the gatewayIPs go back to the host', async () => {
      const ipsec = await service.request('POST', '/ipsecgateways', { properties: { name: 'removed', gatewayIP: '192.0.2.12', connections: [{ ...LAN, ipv4CIDR: '192.168.1.102/24' }] } });
      assert.equal(ipsec.status, 201, JSON.stringify(ipsec.body));
      const tunnel = await service.request('POST', `/ipsecgateways/${ipsec.body.id}/tunnels`, { properties: {
        name: 'nowhere', remoteHost: '192.0.2.99', auth: { method: 'PSK', psk: { key: 'a-psk-for-a-site-that-never-answers' } }, ike: SECURITY, esp: SECURITY,
        cloudNetworkCIDRs: ['192.168.1.0/24'], peerNetworkCIDRs: ['10.3.0.0/24'],
      } });
      assert.equal(tunnel.status, 201, JSON.stringify(tunnel.body));
      assert.equal((await settledGateway(service, 'ipsecgateways', ipsec.body.id)).metadata.status, 'AVAILABLE');
      assert.ok(gatewayProcesses(service, { id: ipsec.body.id, kind: 'ipsec' }).length > 0, 'the IPSec gateway has its charon');
      const gateways = [
        { collection: 'wireguardgateways', footprint: { id: gatewayId, kind: 'wireguard' as const, connections: [LAN] } },
        { collection: 'wireguardgateways', footprint: { id: lateId, kind: 'wireguard' as const, connections: [LATE_LAN] } },
        { collection: 'ipsecgateways', footprint: { id: String(ipsec.body.id), kind: 'ipsec' as const, connections: [LAN] } },
      ];
      for (const { collection, footprint } of gateways) assert.equal((await service.request('DELETE', `/${collection}/${footprint.id}`)).status, 202);
      for (const { collection, footprint } of gateways) {
        await eventually(`${footprint.id} to be deleted`, async () => (await service.request('GET', `/${collection}/${footprint.id}`)).status === 404);
        await expectNothingLeft(service, topology, footprint);
      }
      const ipv4 = (await interfaceAddresses(topology.host, topology.uplink)).filter((cidr) => !cidr.includes(':'));
      assert.deepEqual(ipv4.sort(), ['192.0.2.1/24', '192.0.2.11/24', '192.0.2.12/24'], 'the gatewayIPs are back on the host interface');
      assert.deepEqual((await linkNames(topology.host)).filter((name) => /^v[gul][0-9a-f]{13}$/.test(name)), [], 'no vg/vu/vl interface in the host namespace');
    });
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
