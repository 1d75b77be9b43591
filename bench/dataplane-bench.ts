// Data plane measurements (root, wireguard-go, strongSwan): run `npx tsx bench/dataplane-bench.ts [runs]`.
// 1. API answer → traffic: from the 201 of the POST that completes a tunnel to the first ping through it.
// 2. One-peer change on a 20-peer gateway: LinuxDriver.apply for a single changed peer, and a no-change pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinuxDriver } from '../src/agent/linux/linux-driver.ts';
import type { DesiredWireguardGateway } from '../src/domain/desired-state.ts';
import { generateWireguardKeyPair } from '../src/domain/wireguard-keys.ts';
import { espProposal, ikeProposal } from '../src/render/ipsec-proposals.ts';
import type { Security } from '../src/schemas/ipsec.ts';
import { startRemoteCharon, startRemoteWireguard } from '../test/e2e/support/remote-side.ts';
import { CONNECTIONS, settledGateway, startService, type E2eService } from '../test/e2e/support/service.ts';
import { eventually, missingForE2e, nsExec, sh } from '../test/e2e/support/system.ts';
import { createTopology, type Topology } from '../test/e2e/support/topology.ts';
import { wireguardInterfaceName } from '../src/agent/linux/names.ts';

const RUNS = Number(process.argv[2] ?? 10);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Pings with a short timeout until one reply comes; returns the time it arrived. */
async function firstReply(ns: string, source: string, target: string): Promise<number> {
  return eventually('a ping reply', async () => {
    const out = await nsExec(ns, 'ping', ['-c', '1', '-W', '0.2', '-I', source, target], { allowFail: true });
    return / 0% packet loss/.test(out) ? performance.now() : undefined;
  }, 60_000, 0);
}

async function wireguardRun(svc: E2eService, topology: Topology, remoteIf: string, remoteKey: string, run: number): Promise<number> {
  const gw = await svc.request('POST', '/wireguardgateways', { properties: {
    name: `bench-${run}`, gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.7.0.1/24', connections: CONNECTIONS, privateKey: generateWireguardKeyPair().privateKey, listenPort: 51820,
  } });
  topology.wireguardInterfaces.push(wireguardInterfaceName(String(gw.body.id)));
  const peers = (await nsExec(topology.remote, 'wg', ['show', remoteIf, 'peers'])).split('\n').filter(Boolean);
  for (const key of peers) await nsExec(topology.remote, 'wg', ['set', remoteIf, 'peer', key, 'remove']);
  await nsExec(topology.remote, 'wg', ['set', remoteIf, 'peer', gw.body.metadata.publicKey, 'allowed-ips', '10.7.0.0/24', 'endpoint', '192.0.2.1:51820']);
  const peer = await svc.request('POST', `/wireguardgateways/${gw.body.id}/peers`, { properties: { name: 'p', allowedIPs: ['10.7.0.2/32'], publicKey: remoteKey, endpoint: { host: '192.0.2.2', port: 52001 } } });
  const answered = performance.now();
  if (peer.status !== 201) throw new Error(JSON.stringify(peer.body));
  // From the gateway side: a handshake the remote starts before the peer exists is only retried
  // after WireGuard's 5 s REKEY_TIMEOUT, which would measure WireGuard rather than the apply.
  const elapsed = (await firstReply(topology.gw, '10.7.0.1', '10.7.0.2')) - answered;
  await svc.request('DELETE', `/wireguardgateways/${gw.body.id}`);
  await eventually('the gateway to be removed', async () => (await svc.request('GET', `/wireguardgateways/${gw.body.id}`)).status === 404);
  return elapsed;
}

const SECURITY: Security = { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 };

async function ipsecRun(svc: E2eService, topology: Topology, run: number): Promise<number> {
  const gw = await svc.request('POST', '/ipsecgateways', { properties: { name: `bench-${run}`, gatewayIP: '192.0.2.1', connections: CONNECTIONS } });
  const tunnel = await svc.request('POST', `/ipsecgateways/${gw.body.id}/tunnels`, { properties: {
    name: 't', remoteHost: '192.0.2.2', auth: { method: 'PSK', psk: { key: 'bench-pre-shared-key' } }, ike: SECURITY, esp: SECURITY,
    cloudNetworkCIDRs: ['10.1.1.0/24'], peerNetworkCIDRs: ['10.2.1.0/24'],
  } });
  const answered = performance.now();
  if (tunnel.status !== 201) throw new Error(JSON.stringify(tunnel.body));
  const elapsed = (await firstReply(topology.remote, '10.2.1.1', '10.1.1.1')) - answered;
  await svc.request('DELETE', `/ipsecgateways/${gw.body.id}`);
  await eventually('the gateway to be removed', async () => (await svc.request('GET', `/ipsecgateways/${gw.body.id}`)).status === 404);
  return elapsed;
}

async function peerChangeTimes(topology: Topology): Promise<{ change: number[]; noop: number[] }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vpngw-bench-'));
  const driver = new LinuxDriver({ stateDir, netns: topology.gw, ipsecBackend: 'libipsec' });
  const peers = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, publicKey: generateWireguardKeyPair().publicKey, allowedIPs: [`10.7.1.${i + 1}/32`], endpoint: { host: '192.0.2.2', port: 53000 + i } }));
  const gw: DesiredWireguardGateway = { kind: 'wireguard', id: '0b0b0b0b-0000-4000-8000-000000000020', generation: 1, gatewayIP: '192.0.2.1', listenPort: 51900, privateKey: generateWireguardKeyPair().privateKey, interfaceIPv4CIDR: '10.7.0.1/24', peers };
  topology.wireguardInterfaces.push('vg0b0b0b0b0000');
  const change: number[] = [];
  const noop: number[] = [];
  try {
    await driver.apply(gw);
    for (let run = 0; run < RUNS; run++) {
      const changed = { ...gw, peers: gw.peers.map((p, i) => (i === 7 ? { ...p, allowedIPs: [`10.7.2.${run + 1}/32`] } : p)) };
      let start = performance.now();
      await driver.apply(changed);
      change.push(performance.now() - start);
      start = performance.now();
      await driver.apply(changed);
      noop.push(performance.now() - start);
    }
    await driver.remove({ kind: 'wireguard', id: gw.id });
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  return { change, noop };
}

async function main() {
  const missing = missingForE2e();
  if (missing.length > 0) throw new Error(`needs: ${missing.join(', ')}`);
  const topology = await createTopology();
  let svc: E2eService | undefined;
  try {
    await sh('ip', ['-n', topology.gw, 'addr', 'add', '10.1.1.1/24', 'dev', 'lo']);
    await sh('ip', ['-n', topology.remote, 'addr', 'add', '10.2.1.1/24', 'dev', 'lo']);
    svc = await startService(topology.gw);
    const remote = await startRemoteWireguard(topology, { index: 1, dir: svc.dataDir, gatewayPublicKey: generateWireguardKeyPair().publicKey, gatewayPort: 51820, address4: '10.7.0.2/24', allowed: ['10.7.0.0/24'] });
    await startRemoteCharon(topology, svc.dataDir, [{ name: 'bench', localAddress: '192.0.2.2', localTs: '10.2.1.0/24', remoteTs: '10.1.1.0/24', psk: 'bench-pre-shared-key', ikeProposal: ikeProposal(SECURITY), espProposal: espProposal(SECURITY) }]);
    const wg: number[] = [];
    const ipsec: number[] = [];
    for (let run = 0; run < RUNS; run++) wg.push(await wireguardRun(svc, topology, remote.ifname, remote.publicKey, run));
    for (let run = 0; run < RUNS; run++) ipsec.push(await ipsecRun(svc, topology, run));
    const { change, noop } = await peerChangeTimes(topology);
    const row = (name: string, v: number[]) => `| ${name.padEnd(52)} | ${String(v.length).padStart(4)} | ${percentile(v, 50).toFixed(0).padStart(7)} | ${percentile(v, 99).toFixed(0).padStart(7)} |`;
    console.log(['| measurement (ms)                                     | runs |     p50 |     p99 |', '|---|---|---|---|',
      row('WireGuard: peer POST answered -> first ping reply', wg), row('IPSec: tunnel POST answered -> first ping reply', ipsec),
      row('WireGuard: apply one changed peer (20 peers)', change), row('WireGuard: apply with nothing changed (20 peers)', noop)].join('\n'));
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
}

await main();
