import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { hasExecutable } from '../../src/agent/linux/prerequisites.ts';
import { runCli, type CliResult } from '../cli/support/cli-harness.ts';
import { startRemoteCharonWithConfig } from './support/remote-side.ts';
import { startService, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology, type Topology } from './support/topology.ts';
import { wireguardInterfaceName } from '../../src/agent/linux/names.ts';

// Documentation ranges only: the gateway's LAN as the API knows it, never routed anywhere real.
const CONNECTION = '5a029f4a-72e5-11ec-90d6-0242ac120003,2,203.0.113.100/24';

function cliFor(svc: E2eService) {
  const env = { PATH: process.env.PATH ?? '', HOME: svc.dataDir, VPNGW_API_URL: svc.baseUrl, IONOS_USERNAME: 'e2e@vpngw.test', IONOS_PASSWORD: 'e2e-password-1' };
  return async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, env);
    assert.equal(result.status, 0, `vpngw ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
}

/** wg-quick is what a remote user runs; without it this test cannot show the printed file works. */
function requireWgQuick(t: TestContext): boolean {
  if (hasExecutable('wg-quick')) return true;
  const message = 'the CLI end-to-end test needs wg-quick (Debian package wireguard-tools)';
  if (process.env.CI === 'true') throw new Error(`CI=true and ${message}`);
  process.stderr.write(`\n!!! SKIPPING: ${message}\n\n`);
  t.skip(message);
  return false;
}

async function wireguardThroughCli(t: TestContext, topology: Topology, svc: E2eService) {
  const vpngw = cliFor(svc);
  const remoteKey = join(svc.dataDir, 'remote.key');
  const remotePublicKey = (await vpngw(['wireguard', 'keygen', '--private-key-file', remoteKey])).stdout.trim();
  const gateway = (await vpngw(['wireguard', 'gateway', 'create', '--name', 'cli-e2e', '--gateway-ip', '192.0.2.1', '--interface-ipv4-cidr', '10.8.0.1/24',
    '--listen-port', '51840', '--connection', CONNECTION, '--wait', '-o', 'json'])).json();
  topology.wireguardInterfaces.push(wireguardInterfaceName(String(gateway.id)));
  const peer = (await vpngw(['wireguard', 'peer', 'create', gateway.id, '--name', 'remote', '--allowed-ips', '10.8.0.2/32',
    '--public-key', remotePublicKey, '--wait', '-o', 'json'])).json();
  const config = (await vpngw(['wireguard', 'peer', 'config', gateway.id, peer.id, '--private-key-file', remoteKey])).stdout;
  // wg-quick names the interface after the file; the name must be unique on the host (wireguard-go sockets).
  const ifname = `vc${topology.tag}`;
  topology.wireguardInterfaces.push(ifname);
  const file = join(svc.dataDir, `${ifname}.conf`);
  writeFileSync(file, config, { mode: 0o600 });
  await nsExec(topology.remote, 'wg-quick', ['up', file], { env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' } });
  await t.test('the wg-quick file printed by `vpngw wireguard peer config` brings up a working tunnel', async () => {
    await eventually('a ping through the tunnel from the remote side', () => pingOnce(topology.remote, '10.8.0.2', '10.8.0.1'), 30_000);
  });
}

async function ipsecThroughCli(t: TestContext, topology: Topology, svc: E2eService) {
  const vpngw = cliFor(svc);
  const pskFile = join(svc.dataDir, 'site.psk');
  writeFileSync(pskFile, 'a-psk-for-the-cli-e2e-tunnel\n', { mode: 0o600 });
  await sh('ip', ['-n', topology.gw, 'addr', 'add', '10.9.1.1/24', 'dev', 'lo']);
  await sh('ip', ['-n', topology.remote, 'addr', 'add', '10.9.2.1/24', 'dev', 'lo']);
  const gateway = (await vpngw(['ipsec', 'gateway', 'create', '--name', 'cli-e2e', '--gateway-ip', '192.0.2.1', '--connection', CONNECTION, '-o', 'json'])).json();
  const tunnel = (await vpngw(['ipsec', 'tunnel', 'create', gateway.id, '--name', 'site', '--remote-host', '192.0.2.3', '--cloud-network-cidrs', '10.9.1.0/24',
    '--peer-network-cidrs', '10.9.2.0/24', '--psk-file', pskFile, '--ike-encryption', 'AES256-GCM-16', '--ike-dh-group', '19-ECP256', '--wait', '-o', 'json'])).json();
  const config = (await vpngw(['ipsec', 'tunnel', 'config', gateway.id, tunnel.id, '--psk-file', pskFile])).stdout;
  await startRemoteCharonWithConfig(topology, svc.dataDir, config);
  await t.test('the swanctl.conf printed by `vpngw ipsec tunnel config` brings up a working tunnel', async () => {
    // Up to a minute: IKE retransmits back off, and both sites initiate.
    await eventually('a ping through the IPSec tunnel from the remote site', () => pingOnce(topology.remote, '10.9.2.1', '10.9.1.1'), 60_000);
  });
}

test('client configurations printed by the CLI bring up real tunnels', { timeout: 240_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await createTopology(['192.0.2.3']);
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology.gw);
    await wireguardThroughCli(t, topology, svc);
    await ipsecThroughCli(t, topology, svc);
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
