import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { attachLan, contractOf, createDatacenter, vpngwCli } from './support/operator.ts';
import { startRemoteCharonWithConfig } from './support/remote-side.ts';
import { CONNECTIONS, startService, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology, type Topology } from './support/topology.ts';
import { requireWgQuick } from './support/wireguard-client.ts';

// Both gateways serve the same LAN (192.168.1.0/24, its machine at 192.168.1.10), each from its own address there.
const [LAN] = CONNECTIONS;
const connection = (address: string) => `${LAN?.datacenterId},${LAN?.lanId},${address}/24`;

async function wireguardThroughCli(t: TestContext, topology: Topology, svc: E2eService) {
  const vpngw = vpngwCli(svc);
  const remoteKey = join(svc.dataDir, 'remote.key');
  const remotePublicKey = (await vpngw(['wireguard', 'keygen', '--private-key-file', remoteKey])).stdout.trim();
  const gateway = (await vpngw(['wireguard', 'gateway', 'create', '--name', 'cli-e2e', '--gateway-ip', '192.0.2.1', '--interface-ipv4-cidr', '10.8.0.1/24',
    '--listen-port', '51820', '--connection', connection('192.168.1.100'), '--wait', '-o', 'json'])).json();
  topology.adoptGateway(String(gateway.id));
  const peer = (await vpngw(['wireguard', 'peer', 'create', gateway.id, '--name', 'remote', '--allowed-ips', '10.8.0.2/32',
    '--public-key', remotePublicKey, '--wait', '-o', 'json'])).json();
  const config = (await vpngw(['wireguard', 'peer', 'config', gateway.id, peer.id, '--private-key-file', remoteKey])).stdout;
  // wg-quick names the interface after the file; the name must be unique on the host (wireguard-go sockets).
  const ifname = `vc${topology.tag}`;
  topology.wireguardInterfaces.push(ifname);
  const file = join(svc.dataDir, `${ifname}.conf`);
  writeFileSync(file, config, { mode: 0o600 });
  await nsExec(topology.remote, 'wg-quick', ['up', file], { env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' } });
  await t.test('the wg-quick file printed by `vpngw wireguard peer config` reaches the gateway and its LAN', async () => {
    await eventually('a ping to the gateway through the tunnel', () => pingOnce(topology.remote, '10.8.0.2', '10.8.0.1'), 30_000);
    await eventually('a ping to the LAN machine through the tunnel', () => pingOnce(topology.remote, '10.8.0.2', '192.168.1.10'), 15_000);
  });
}

async function ipsecThroughCli(t: TestContext, topology: Topology, svc: E2eService) {
  const vpngw = vpngwCli(svc);
  const pskFile = join(svc.dataDir, 'site.psk');
  writeFileSync(pskFile, 'a-psk-for-the-cli-e2e-tunnel\n', { mode: 0o600 });
  await sh('ip', ['-n', topology.remote, 'addr', 'add', '10.9.2.1/24', 'dev', 'lo']);
  const gateway = (await vpngw(['ipsec', 'gateway', 'create', '--name', 'cli-e2e', '--gateway-ip', '192.0.2.11', '--connection', connection('192.168.1.101'), '-o', 'json'])).json();
  topology.adoptGateway(String(gateway.id));
  const tunnel = (await vpngw(['ipsec', 'tunnel', 'create', gateway.id, '--name', 'site', '--remote-host', '192.0.2.3', '--cloud-network-cidrs', '192.168.1.0/24',
    '--peer-network-cidrs', '10.9.2.0/24', '--psk-file', pskFile, '--ike-encryption', 'AES256-GCM-16', '--ike-dh-group', '19-ECP256', '--wait', '-o', 'json'])).json();
  const config = (await vpngw(['ipsec', 'tunnel', 'config', gateway.id, tunnel.id, '--psk-file', pskFile])).stdout;
  await startRemoteCharonWithConfig(topology, svc.dataDir, config);
  await t.test('the swanctl.conf printed by `vpngw ipsec tunnel config` reaches the gateway\'s LAN', async () => {
    // Up to a minute: IKE retransmits back off, and both sites initiate.
    await eventually('a ping through the IPSec tunnel from the remote site', () => pingOnce(topology.remote, '10.9.2.1', '192.168.1.10'), 60_000);
  });
}

test('client configurations printed by the CLI bring up real tunnels to the gateway\'s LAN', { timeout: 240_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t) || !LAN) return;
  const topology = await createTopology({ gatewayIPs: ['192.0.2.1', '192.0.2.11'], remoteAddresses: ['192.0.2.3'] });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    await createDatacenter(svc, await contractOf(svc), LAN.datacenterId);
    await attachLan(svc, topology, {
      ...LAN, addresses: ['192.168.1.10/24'], routes: [{ to: '10.8.0.0/24', via: '192.168.1.100' }, { to: '10.9.2.0/24', via: '192.168.1.101' }],
    });
    await wireguardThroughCli(t, topology, svc);
    await ipsecThroughCli(t, topology, svc);
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
