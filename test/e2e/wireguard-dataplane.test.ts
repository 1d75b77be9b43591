import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lanLegName, wireguardInterfaceName } from '../../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { expectNothingLeft, gatewayNs, gatewayProcesses, interfaceAddresses } from './support/gateway-host.ts';
import { attachLan, contractOf, createDatacenter } from './support/operator.ts';
import { startRemoteWireguard, type RemoteWireguard } from './support/remote-side.ts';
import { CONNECTIONS, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology } from './support/topology.ts';
import { latestHandshake } from './support/wireguard-client.ts';

const PORT = 51820;
const [LAN] = CONNECTIONS;

async function addPeer(svc: E2eService, gatewayId: string, name: string, publicKey: string, allowedIPs: string[], index: number) {
  const response = await svc.request('POST', `/wireguardgateways/${gatewayId}/peers`, {
    properties: { name, allowedIPs, publicKey, endpoint: { host: '192.0.2.2', port: 52000 + index } },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id as string;
}

const ifindex = async (ns: string, ifname: string) => JSON.parse(await sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', ifname]))[0].ifindex as number;

test('WireGuard gateways become real interfaces that carry traffic, change incrementally and repair drift', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t) || !LAN) return;
  const topology = await createTopology({ gatewayIPs: ['192.0.2.1', '192.0.2.11'] });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const service = svc;
    await createDatacenter(service, await contractOf(service), LAN.datacenterId);
    await attachLan(service, topology, { ...LAN, addresses: ['192.168.1.10/24'], routes: [{ to: '10.7.0.0/24', via: '192.168.1.100' }] });
    const created = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'e2e', gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.7.0.1/24', interfaceIPv6CIDR: '2001:db8:7::1/64',
      connections: CONNECTIONS, privateKey: generateWireguardKeyPair().privateKey, listenPort: PORT,
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    const ns = gatewayNs(gatewayId);
    const ifname = wireguardInterfaceName(gatewayId);
    const gatewayPublicKey = created.body.metadata.publicKey as string;
    const remote = (index: number, a4: string, a6?: string): Promise<RemoteWireguard> => startRemoteWireguard(topology, {
      index, dir: service.dataDir, gatewayPublicKey, gatewayPort: PORT, address4: `${a4}/24`, ...(a6 ? { address6: `${a6}/64` } : {}),
      allowed: ['10.7.0.0/24', '2001:db8:7::/64'],
    });
    const one = await remote(1, '10.7.0.2', '2001:db8:7::2');
    const peerOne = await addPeer(service, gatewayId, 'one', one.publicKey, ['10.7.0.2/32', '2001:db8:7::2/128'], 1);
    const settled = await settledGateway(service, 'wireguardgateways', gatewayId);
    assert.equal(settled.metadata.status, 'AVAILABLE', JSON.stringify(settled.metadata));

    await t.test('packets cross over IPv4 and IPv6, and the gateway took its gatewayIP from the host', async () => {
      await eventually('IPv4 ping through the tunnel', () => pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
      await eventually('IPv6 ping through the tunnel', () => pingOnce(topology.remote, '2001:db8:7::2', '2001:db8:7::1'));
      assert.ok(!(await interfaceAddresses(topology.host, topology.uplink)).includes('192.0.2.1/24'), 'the host interface gave 192.0.2.1 up');
      assert.ok((await sh('ip', ['-n', ns, 'link'])).includes(`${ifname}:`), 'the WireGuard interface lives in the gateway\'s namespace');
    });

    await t.test('wireguard-go, which outlives the service, carries none of the service\'s settings in its environment', async () => {
      const pids = gatewayProcesses(service, { id: gatewayId, kind: 'wireguard' });
      assert.ok(pids.length > 0, 'wireguard-go runs');
      for (const pid of pids) {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        assert.deepEqual(environ.filter((v) => v.startsWith('VPNGW_')), [], 'no VPNGW_* (admin password, keys, database URL)');
      }
    });

    await t.test('the status extension shows the peer\'s handshake and transfer, and the gateway\'s LAN', async () => {
      const status = await service.request('GET', `/wireguardgateways/${gatewayId}/status`);
      assert.equal(status.status, 200);
      const peer = status.body.properties.peers.find((p: { id: string }) => p.id === peerOne);
      assert.ok(peer.latestHandshake, 'a handshake time');
      assert.ok(peer.transferRxBytes > 0 && peer.transferTxBytes > 0);
      assert.deepEqual(status.body.properties.lans, [{
        datacenterId: LAN.datacenterId, lanId: LAN.lanId, interfaceName: lanLegName(gatewayId, LAN.datacenterId, LAN.lanId), present: true, addresses: ['192.168.1.100/24'],
      }]);
    });

    let two: RemoteWireguard | undefined;
    await t.test('adding a peer leaves the existing peer\'s session untouched', async () => {
      const before = await latestHandshake(ns, ifname, one.publicKey);
      const ifindexBefore = await ifindex(ns, ifname);
      two = await remote(2, '10.7.0.3');
      await addPeer(service, gatewayId, 'two', two.publicKey, ['10.7.0.3/32'], 2);
      assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
      const added = two;
      await eventually('ping from the new peer', () => pingOnce(topology.remote, added.ifname, '10.7.0.1'));
      assert.ok(before > 0);
      assert.equal(await latestHandshake(ns, ifname, one.publicKey), before, 'peer one kept its handshake');
      assert.equal(await ifindex(ns, ifname), ifindexBefore, 'the interface was not recreated');
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
    });

    await t.test('deleting a peer stops that peer\'s traffic only', async () => {
      const peers = (await service.request('GET', `/wireguardgateways/${gatewayId}/peers?depth=1`)).body.items as Array<{ id: string; properties: { name: string } }>;
      const record = peers.find((p) => p.properties.name === 'two');
      const remoteTwo = two;
      assert.ok(record && remoteTwo);
      assert.ok(await pingOnce(topology.remote, remoteTwo.ifname, '10.7.0.1'), 'peer two works before the delete');
      assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}/peers/${record.id}`)).status, 202);
      await eventually('peer two to be removed from the interface', async () => !(await nsExec(ns, 'wg', ['show', ifname, 'peers'])).includes(remoteTwo.publicKey));
      assert.equal(await pingOnce(topology.remote, remoteTwo.ifname, '10.7.0.1'), false, 'peer two\'s traffic stopped');
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
    });

    await t.test('drift is repaired: a deleted interface, a peer removed with wg, a killed wireguard-go', async () => {
      await sh('ip', ['-n', ns, 'link', 'del', ifname]);
      // The gateway side sends first: it has the peer's endpoint and starts a fresh handshake.
      await eventually('the interface to be recreated and carry traffic', () => pingOnce(ns, '10.7.0.1', '10.7.0.2'), 15_000);
      await nsExec(ns, 'wg', ['set', ifname, 'peer', one.publicKey, 'remove']);
      await eventually('the peer to be restored', () => pingOnce(ns, '10.7.0.1', '10.7.0.2'), 15_000);
      const pids = gatewayProcesses(service, { id: gatewayId, kind: 'wireguard' });
      assert.ok(pids.length > 0);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await eventually('wireguard-go to be restarted', () => pingOnce(ns, '10.7.0.1', '10.7.0.2'), 15_000);
    });

    await t.test('a restarted service adopts the interface without disturbing the session', async () => {
      const before = await latestHandshake(ns, ifname, one.publicKey);
      await service.restart();
      assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
      assert.equal(await latestHandshake(ns, ifname, one.publicKey), before);
    });

    await t.test('a second gateway on another gatewayIP, on the same port 51820, carries its own traffic', async () => {
      const second = await service.request('POST', '/wireguardgateways', { properties: {
        name: 'second', gatewayIP: '192.0.2.11', interfaceIPv4CIDR: '10.8.0.1/24', connections: [{ ...LAN, ipv4CIDR: '192.168.1.101/24' }],
        privateKey: generateWireguardKeyPair().privateKey, listenPort: PORT,
      } });
      assert.equal(second.status, 201, JSON.stringify(second.body));
      const far = await startRemoteWireguard(topology, {
        index: 3, dir: service.dataDir, gatewayPublicKey: second.body.metadata.publicKey, gatewayIP: '192.0.2.11', gatewayPort: PORT, address4: '10.8.0.2/24', allowed: ['10.8.0.0/24'],
      });
      await addPeer(service, second.body.id, 'far', far.publicKey, ['10.8.0.2/32'], 3);
      const secondGw = await settledGateway(service, 'wireguardgateways', second.body.id);
      assert.equal(secondGw.metadata.status, 'AVAILABLE', JSON.stringify(secondGw.metadata));
      await eventually('ping through the second gateway', () => pingOnce(topology.remote, '10.8.0.2', '10.8.0.1'));
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'), 'the first gateway still carries traffic');
      assert.equal((await service.request('DELETE', `/wireguardgateways/${second.body.id}`)).status, 202);
      await eventually('the second gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${second.body.id}`)).status === 404);
      assert.ok((await interfaceAddresses(topology.host, topology.uplink)).includes('192.0.2.11/24'), '192.0.2.11 is back on the host interface');
    });

    await t.test('an impossible gatewayIP, or one another gateway holds, fails that gateway only', async () => {
      const gateway = (name: string, gatewayIP: string) => service.request('POST', '/wireguardgateways', { properties: {
        name, gatewayIP, interfaceIPv4CIDR: '10.9.0.1/24', connections: CONNECTIONS, privateKey: generateWireguardKeyPair().privateKey, listenPort: PORT,
      } });
      const bad = await gateway('bad-ip', '203.0.113.9');
      const clash = await gateway('clash', '192.0.2.1');
      const badGw = await settledGateway(service, 'wireguardgateways', bad.body.id);
      assert.equal(badGw.metadata.status, 'FAILED');
      assert.match(badGw.metadata.statusMessage, /203\.0\.113\.9/);
      const clashGw = await settledGateway(service, 'wireguardgateways', clash.body.id);
      assert.equal(clashGw.metadata.status, 'FAILED');
      assert.match(clashGw.metadata.statusMessage, /192\.0\.2\.1 .*already in use by another gateway/);
      for (const id of [bad.body.id, clash.body.id]) await service.request('DELETE', `/wireguardgateways/${id}`);
      for (const id of [bad.body.id, clash.body.id]) await eventually('the failed gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${id}`)).status === 404);
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'), 'the working gateway still carries traffic');
    });

    await t.test('deleting the gateway removes its namespace and interface and gives the gatewayIP back', async () => {
      assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}`)).status, 202);
      await eventually('the gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${gatewayId}`)).status === 404);
      await expectNothingLeft(service, topology, { id: gatewayId, kind: 'wireguard', connections: [LAN] });
      assert.ok((await interfaceAddresses(topology.host, topology.uplink)).includes('192.0.2.1/24'), '192.0.2.1 is back on the host interface');
      assert.ok(!(await sh('ip', ['-n', topology.host, 'link'])).match(/: v[gul][0-9a-f]{13}[@:]/), 'no vg/vu/vl interface in the host namespace');
    });
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
