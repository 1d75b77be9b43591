import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { startRemoteWireguard, type RemoteWireguard } from './support/remote-side.ts';
import { CONNECTIONS, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, killCommand, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology, type Topology } from './support/topology.ts';
import { wireguardInterfaceName } from '../../src/agent/linux/names.ts';

const PORT = 51820;

async function latestHandshake(t: Topology, ifname: string, peerKey: string): Promise<number> {
  const line = (await nsExec(t.gw, 'wg', ['show', ifname, 'latest-handshakes'])).split('\n').find((l) => l.startsWith(peerKey));
  return Number(line?.split('\t')[1] ?? 0);
}

async function addPeer(svc: E2eService, gatewayId: string, name: string, publicKey: string, allowedIPs: string[], index: number) {
  const response = await svc.request('POST', `/wireguardgateways/${gatewayId}/peers`, {
    properties: { name, allowedIPs, publicKey, endpoint: { host: '192.0.2.2', port: 52000 + index } },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id as string;
}

test('WireGuard gateways become real interfaces that carry traffic, change incrementally and repair drift', { timeout: 240_000 }, async (t) => {
  if (!requireE2e(t)) return;
  const topology = await createTopology();
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology.gw);
    const service = svc;
    const created = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'e2e', gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.7.0.1/24', interfaceIPv6CIDR: '2001:db8:7::1/64',
      connections: CONNECTIONS, privateKey: generateWireguardKeyPair().privateKey, listenPort: PORT,
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    const ifname = wireguardInterfaceName(gatewayId);
    topology.wireguardInterfaces.push(ifname);
    const gatewayPublicKey = created.body.metadata.publicKey as string;
    const remote = (index: number, a4: string, a6?: string): Promise<RemoteWireguard> => startRemoteWireguard(topology, {
      index, dir: service.dataDir, gatewayPublicKey, gatewayPort: PORT, address4: `${a4}/24`, ...(a6 ? { address6: `${a6}/64` } : {}),
      allowed: ['10.7.0.0/24', '2001:db8:7::/64'],
    });
    const one = await remote(1, '10.7.0.2', '2001:db8:7::2');
    const peerOne = await addPeer(service, gatewayId, 'one', one.publicKey, ['10.7.0.2/32', '2001:db8:7::2/128'], 1);
    assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');

    await t.test('packets cross over IPv4 and IPv6', async () => {
      await eventually('IPv4 ping through the tunnel', () => pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
      await eventually('IPv6 ping through the tunnel', () => pingOnce(topology.remote, '2001:db8:7::2', '2001:db8:7::1'));
    });

    await t.test('wireguard-go, which outlives the service, carries none of the service\'s settings in its environment', async () => {
      const pids = (await sh('pgrep', ['-f', `wireguard-go ${ifname}`])).trim().split('\n').filter(Boolean);
      assert.ok(pids.length > 0, 'wireguard-go runs');
      for (const pid of pids) {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        assert.deepEqual(environ.filter((v) => v.startsWith('VPNGW_')), [], 'no VPNGW_* (admin password, keys, database URL)');
      }
    });

    await t.test('the status extension shows the peer\'s handshake and transfer', async () => {
      const status = await service.request('GET', `/wireguardgateways/${gatewayId}/status`);
      assert.equal(status.status, 200);
      const peer = status.body.properties.peers.find((p: { id: string }) => p.id === peerOne);
      assert.ok(peer.latestHandshake, 'a handshake time');
      assert.ok(peer.transferRxBytes > 0 && peer.transferTxBytes > 0);
    });

    let two: RemoteWireguard | undefined;
    await t.test('adding a peer leaves the existing peer\'s session untouched', async () => {
      const before = await latestHandshake(topology, ifname, one.publicKey);
      const ifindexBefore = await sh('ip', ['-n', topology.gw, '-j', 'link', 'show', 'dev', ifname]);
      two = await remote(2, '10.7.0.3');
      await addPeer(service, gatewayId, 'two', two.publicKey, ['10.7.0.3/32'], 2);
      assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
      const added = two;
      await eventually('ping from the new peer', () => pingOnce(topology.remote, added.ifname, '10.7.0.1'));
      assert.ok(before > 0);
      assert.equal(await latestHandshake(topology, ifname, one.publicKey), before, 'peer one kept its handshake');
      assert.equal(await sh('ip', ['-n', topology.gw, '-j', 'link', 'show', 'dev', ifname]).then((s) => JSON.parse(s)[0].ifindex), JSON.parse(ifindexBefore)[0].ifindex);
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
    });

    await t.test('deleting a peer stops that peer\'s traffic only', async () => {
      const peers = (await service.request('GET', `/wireguardgateways/${gatewayId}/peers?depth=1`)).body.items as Array<{ id: string; properties: { name: string } }>;
      const record = peers.find((p) => p.properties.name === 'two');
      const remoteTwo = two;
      assert.ok(record && remoteTwo);
      assert.ok(await pingOnce(topology.remote, remoteTwo.ifname, '10.7.0.1'), 'peer two works before the delete');
      assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}/peers/${record.id}`)).status, 202);
      await eventually('peer two to be removed from the interface', async () => !(await nsExec(topology.gw, 'wg', ['show', ifname, 'peers'])).includes(remoteTwo.publicKey));
      assert.equal(await pingOnce(topology.remote, remoteTwo.ifname, '10.7.0.1'), false, 'peer two\'s traffic stopped');
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
    });

    await t.test('drift is repaired: a deleted interface, a peer removed with wg, a killed wireguard-go', async () => {
      await sh('ip', ['-n', topology.gw, 'link', 'del', ifname]);
      // The gateway side sends first: it has the peer's endpoint and starts a fresh handshake.
      await eventually('the interface to be recreated and carry traffic', () => pingOnce(topology.gw, '10.7.0.1', '10.7.0.2'), 15_000);
      await nsExec(topology.gw, 'wg', ['set', ifname, 'peer', one.publicKey, 'remove']);
      await eventually('the peer to be restored', () => pingOnce(topology.gw, '10.7.0.1', '10.7.0.2'), 15_000);
      assert.equal(killCommand(['wireguard-go', ifname]), 1);
      await eventually('wireguard-go to be restarted', () => pingOnce(topology.gw, '10.7.0.1', '10.7.0.2'), 15_000);
    });

    await t.test('a restarted service adopts the interface without disturbing the session', async () => {
      const before = await latestHandshake(topology, ifname, one.publicKey);
      await service.restart();
      assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
      assert.equal(await latestHandshake(topology, ifname, one.publicKey), before);
    });

    await t.test('an impossible gatewayIP or a port in use fails that gateway only', async () => {
      const bad = await service.request('POST', '/wireguardgateways', { properties: {
        name: 'bad-ip', gatewayIP: '203.0.113.9', interfaceIPv4CIDR: '10.8.0.1/24', connections: CONNECTIONS, privateKey: generateWireguardKeyPair().privateKey, listenPort: 51821,
      } });
      const clash = await service.request('POST', '/wireguardgateways', { properties: {
        name: 'clash', gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.9.0.1/24', connections: CONNECTIONS, privateKey: generateWireguardKeyPair().privateKey, listenPort: PORT,
      } });
      topology.wireguardInterfaces.push(wireguardInterfaceName(String(clash.body.id)));
      const badGw = await settledGateway(service, 'wireguardgateways', bad.body.id);
      assert.equal(badGw.metadata.status, 'FAILED');
      assert.match(badGw.metadata.statusMessage, /203\.0\.113\.9 is not an address/);
      const clashGw = await settledGateway(service, 'wireguardgateways', clash.body.id);
      assert.equal(clashGw.metadata.status, 'FAILED');
      assert.match(clashGw.metadata.statusMessage, /port 51820 is already in use/);
      assert.ok(await pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'), 'the working gateway still carries traffic');
      for (const id of [bad.body.id, clash.body.id]) await service.request('DELETE', `/wireguardgateways/${id}`);
    });

    await t.test('deleting the gateway removes its interface', async () => {
      assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}`)).status, 202);
      await eventually('the interface to disappear', async () => (await sh('ip', ['-n', topology.gw, 'link', 'show', 'dev', ifname], { allowFail: true })) === '');
      await eventually('every vg interface to be gone', async () => !(await sh('ip', ['-n', topology.gw, 'link'])).includes(' vg'));
    });
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
