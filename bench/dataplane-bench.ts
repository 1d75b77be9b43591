// Data plane measurements (root, wireguard-go, strongSwan, iperf3): `npm run bench:dataplane -- [runs]`.
// 1. API answer → traffic: from the 201 of the POST that completes a tunnel to the first ping reply
//    from a machine on the gateway's LAN.
// 2. One-peer change on a 20-peer gateway: LinuxDriver.apply for a single changed peer, and a no-change pass.
//    A first full pass over 8 IPSec gateways (8 charons to start) with the driver's parallel applies, and one at a time.
// 3. TCP throughput (iperf3, one stream) from the client side to the LAN machine: through wireguard-go,
//    through IPSec (kernel-libipsec), and through a plain router on the same kind of legs, without a tunnel.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LinuxDriver } from '../src/agent/linux/linux-driver.ts';
import { Reconciler } from '../src/agent/reconciler.ts';
import { RemoteDesiredStateSource } from '../src/agent/remote/remote-desired-state-source.ts';
import type { DesiredIpsecGateway, DesiredWireguardGateway } from '../src/domain/desired-state.ts';
import { generateWireguardKeyPair } from '../src/domain/wireguard-keys.ts';
import { espProposal, ikeProposal } from '../src/render/ipsec-proposals.ts';
import type { Security } from '../src/schemas/ipsec.ts';
import { attachLan, contractOf, createDatacenter } from '../test/e2e/support/operator.ts';
import { startRemoteCharon, startRemoteWireguard, type RemoteWireguard } from '../test/e2e/support/remote-side.ts';
import { settledGateway, startService, type E2eService } from '../test/e2e/support/service.ts';
import { eventually, missingForE2e, nsExec, sh } from '../test/e2e/support/system.ts';
import { createTopology, type Lan, type Topology } from '../test/e2e/support/topology.ts';

const RUNS = Number(process.argv[2] ?? 10);
const IPERF_SECONDS = 3;
const LAN_MACHINE = '192.168.1.10';
const CONNECTION = { datacenterId: 'e0e1e2e3-e4e5-4e6e-8e7e-e8e9eaebeced', lanId: '1', ipv4CIDR: '192.168.1.100/24' };
const SECURITY: Security = { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 };
const PSK = 'bench-pre-shared-key';

/** The namespaces and processes every measurement shares. */
interface Bench {
  svc: E2eService;
  topology: Topology;
  lan: Lan;
  /** The WireGuard client's own site on the uplink (the remote holds the IPSec site, whose routes would take its packets). */
  wgSite: string;
  wgClient: RemoteWireguard;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const ping = async (ns: string, source: string, target: string) =>
  / 0% packet loss/.test(await nsExec(ns, 'ping', ['-c', '1', '-W', '0.2', '-I', source, target], { allowFail: true }));

/** Pings with a short timeout until one reply comes; returns the time it arrived. */
async function firstReply(ns: string, source: string, target: string): Promise<number> {
  return eventually('a ping reply', async () => ((await ping(ns, source, target)) ? performance.now() : undefined), 60_000, 0);
}

/**
 * The same for the WireGuard client, which dials afresh before each ping: a handshake sent before the
 * gateway had the peer is otherwise retried only after WireGuard's 5 s REKEY_TIMEOUT, which would
 * measure WireGuard rather than the apply. Re-adding the peer with a keepalive starts a handshake at once.
 */
async function firstReplyDialling(b: Bench, gatewayKey: string): Promise<number> {
  const ifname = b.wgClient.ifname;
  return eventually('a ping reply through WireGuard', async () => {
    await nsExec(b.wgSite, 'wg', ['set', ifname, 'peer', gatewayKey, 'remove']);
    await nsExec(b.wgSite, 'wg', ['set', ifname, 'peer', gatewayKey, 'allowed-ips', '10.7.0.0/24,192.168.1.0/24', 'endpoint', '192.0.2.1:51820', 'persistent-keepalive', '1']);
    return (await ping(b.wgSite, '10.7.0.2', LAN_MACHINE)) ? performance.now() : undefined;
  }, 60_000, 0);
}

async function deleteGateway(svc: E2eService, collection: string, id: string) {
  await svc.request('DELETE', `/${collection}/${id}`);
  await eventually('the gateway to be removed', async () => (await svc.request('GET', `/${collection}/${id}`)).status === 404);
}

/** A WireGuard gateway, settled, then its peer: answers the gateway's id and public key and when the peer's POST was answered. */
async function wireguardGatewayWithPeer(b: Bench, name: string) {
  // The client forgets earlier gateways (their keys) so that only this one's handshake counts.
  for (const key of (await nsExec(b.wgSite, 'wg', ['show', b.wgClient.ifname, 'peers'])).split('\n').filter(Boolean)) {
    await nsExec(b.wgSite, 'wg', ['set', b.wgClient.ifname, 'peer', key, 'remove']);
  }
  const gw = await b.svc.request('POST', '/wireguardgateways', { properties: {
    name, gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.7.0.1/24', connections: [CONNECTION], privateKey: generateWireguardKeyPair().privateKey, listenPort: 51820,
  } });
  if ((await settledGateway(b.svc, 'wireguardgateways', gw.body.id)).metadata.status !== 'AVAILABLE') throw new Error('the WireGuard gateway is not AVAILABLE');
  const peer = await b.svc.request('POST', `/wireguardgateways/${gw.body.id}/peers`, { properties: {
    name: 'p', allowedIPs: ['10.7.0.2/32'], publicKey: b.wgClient.publicKey, endpoint: { host: '192.0.2.21', port: 52001 },
  } });
  const answered = performance.now();
  if (peer.status !== 201) throw new Error(JSON.stringify(peer.body));
  return { id: String(gw.body.id), publicKey: String(gw.body.metadata.publicKey), answered };
}

/** An IPSec gateway, settled, then its tunnel to the remote site. */
async function ipsecGatewayWithTunnel(b: Bench, name: string) {
  const gw = await b.svc.request('POST', '/ipsecgateways', { properties: { name, gatewayIP: '192.0.2.1', connections: [CONNECTION] } });
  if ((await settledGateway(b.svc, 'ipsecgateways', gw.body.id)).metadata.status !== 'AVAILABLE') throw new Error('the IPSec gateway is not AVAILABLE');
  const tunnel = await b.svc.request('POST', `/ipsecgateways/${gw.body.id}/tunnels`, { properties: {
    name: 't', remoteHost: '192.0.2.2', auth: { method: 'PSK', psk: { key: PSK } }, ike: SECURITY, esp: SECURITY,
    cloudNetworkCIDRs: ['192.168.1.0/24'], peerNetworkCIDRs: ['10.2.1.0/24'],
  } });
  const answered = performance.now();
  if (tunnel.status !== 201) throw new Error(JSON.stringify(tunnel.body));
  return { id: String(gw.body.id), answered };
}

async function wireguardRun(b: Bench, run: number): Promise<number> {
  const gw = await wireguardGatewayWithPeer(b, `bench-${run}`);
  const elapsed = (await firstReplyDialling(b, gw.publicKey)) - gw.answered;
  await deleteGateway(b.svc, 'wireguardgateways', gw.id);
  return elapsed;
}

async function ipsecRun(b: Bench, run: number): Promise<number> {
  const gw = await ipsecGatewayWithTunnel(b, `bench-${run}`);
  const elapsed = (await firstReply(b.topology.remote, '10.2.1.1', LAN_MACHINE)) - gw.answered;
  await deleteGateway(b.svc, 'ipsecgateways', gw.id);
  return elapsed;
}

/** One iperf3 TCP run from `bind` in `ns` to an iperf3 server on the LAN machine; bounded in time. */
async function iperf(b: Bench, ns: string, bind: string): Promise<{ mbits: number; retransmits: number }> {
  const server = spawn('ip', ['netns', 'exec', b.lan.ns, 'iperf3', '-s', '-1', '-B', LAN_MACHINE, '-p', '5201'], { stdio: 'ignore' });
  b.topology.killAtCleanup(server.pid ?? 0);
  try {
    await eventually('iperf3 to listen', async () => (await nsExec(b.lan.ns, 'ss', ['-ltnH'])).includes(':5201'), 10_000, 50);
    const out = await nsExec(ns, 'iperf3', ['-c', LAN_MACHINE, '-B', bind, '-p', '5201', '-t', String(IPERF_SECONDS), '-J', '--connect-timeout', '3000']);
    const end = JSON.parse(out).end;
    return { mbits: end.sum_received.bits_per_second / 1e6, retransmits: end.sum_sent.retransmits ?? 0 };
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}

async function wireguardThroughput(b: Bench) {
  const gw = await wireguardGatewayWithPeer(b, 'bench-throughput');
  await firstReplyDialling(b, gw.publicKey);
  const result = await iperf(b, b.wgSite, '10.7.0.2');
  await deleteGateway(b.svc, 'wireguardgateways', gw.id);
  return result;
}

async function ipsecThroughput(b: Bench) {
  const gw = await ipsecGatewayWithTunnel(b, 'bench-throughput');
  await firstReply(b.topology.remote, '10.2.1.1', LAN_MACHINE);
  const result = await iperf(b, b.topology.remote, '10.2.1.1');
  await deleteGateway(b.svc, 'ipsecgateways', gw.id);
  return result;
}

/** The same path without a tunnel: a namespace routing between macvlan legs of the uplink and of the LAN, as a gateway's are. */
async function plainThroughput(b: Bench) {
  const { topology } = b;
  const router = await topology.addNamespace('router');
  for (const [hostInterface, leg, address] of [[topology.uplink, `rt${topology.tag}u`, '192.0.2.30/24'], [b.lan.hostInterface, `rt${topology.tag}l`, '192.168.1.1/24']] as const) {
    await sh('ip', ['-n', topology.host, 'link', 'add', 'link', hostInterface, 'name', leg, 'type', 'macvlan', 'mode', 'bridge']);
    await sh('ip', ['-n', topology.host, 'link', 'set', leg, 'netns', router]);
    await sh('ip', ['-n', router, 'addr', 'add', address, 'dev', leg]);
    await sh('ip', ['-n', router, 'link', 'set', leg, 'up']);
  }
  await nsExec(router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  const site = await topology.addUplinkSite('192.0.2.22');
  await sh('ip', ['-n', site, 'route', 'add', '192.168.1.0/24', 'via', '192.0.2.30']);
  await firstReply(site, '192.0.2.22', LAN_MACHINE);
  return iperf(b, site, '192.0.2.22');
}

async function peerChangeTimes(b: Bench): Promise<{ change: number[]; noop: number[] }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vpngw-bench-'));
  const driver = new LinuxDriver({ stateDir, netns: b.topology.host, ipsecBackend: 'libipsec' });
  const peers = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, publicKey: generateWireguardKeyPair().publicKey, allowedIPs: [`10.7.1.${i + 1}/32`], endpoint: { host: '192.0.2.2', port: 53000 + i } }));
  const gw: DesiredWireguardGateway = {
    kind: 'wireguard', id: '0b0b0b0b-0000-4000-8000-000000000020', generation: 1, gatewayIP: '192.0.2.1', listenPort: 51900, privateKey: generateWireguardKeyPair().privateKey,
    interfaceIPv4CIDR: '10.7.0.1/24', connections: [{ ...CONNECTION, hostInterface: b.lan.hostInterface }], peers,
  };
  b.topology.adoptGateway(gw.id);
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

const PASS_GATEWAYS = 8;

/**
 * A first full pass over PASS_GATEWAYS IPSec gateways (each its own charon to start, on its own
 * gatewayIP), through the reconciler: with the driver's parallel applies, or one gateway at a time.
 */
async function firstPassTimes(b: Bench): Promise<{ parallel: number[]; serial: number[] }> {
  const addresses = Array.from({ length: PASS_GATEWAYS }, (_, i) => `192.0.2.${40 + i}`);
  for (const address of addresses) await sh('ip', ['-n', b.topology.host, 'addr', 'add', `${address}/24`, 'dev', b.topology.uplink]);
  const times = { parallel: [] as number[], serial: [] as number[] };
  for (let run = 0; run < Math.min(RUNS, 5); run++) {
    for (const mode of ['parallel', 'serial'] as const) {
      const stateDir = mkdtempSync(join(tmpdir(), 'vpngw-bench-'));
      const linux = new LinuxDriver({ stateDir, netns: b.topology.host, ipsecBackend: 'libipsec' });
      const driver = mode === 'parallel' ? linux : Object.create(linux, { parallelApplies: { value: 1 } }) as LinuxDriver;
      const source = new RemoteDesiredStateSource();
      const reconciler = new Reconciler({ source, driver, logger: pino({ level: 'silent' }), intervalMs: 3_600_000 });
      const gateways: DesiredIpsecGateway[] = addresses.map((gatewayIP, i) => ({
        kind: 'ipsec', id: `0c0c0c0c-0000-4000-8000-0000000000${String(10 + i)}`, generation: 1, gatewayIP,
        connections: [{ ...CONNECTION, ipv4CIDR: `192.168.1.${110 + i}/24`, hostInterface: b.lan.hostInterface }], tunnels: [],
      }));
      for (const g of gateways) b.topology.adoptGateway(g.id);
      try {
        source.replaceAll(gateways);
        const start = performance.now();
        const summary = await reconciler.runPass({ full: true });
        times[mode].push(performance.now() - start);
        if (summary.applied !== PASS_GATEWAYS) throw new Error(`only ${summary.applied} of ${PASS_GATEWAYS} gateways applied`);
        source.replaceAll([]);
        await reconciler.runPass({ full: true });
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    }
  }
  return times;
}

async function setUp(topology: Topology, svc: E2eService): Promise<Bench> {
  await createDatacenter(svc, await contractOf(svc), CONNECTION.datacenterId);
  const lan = await attachLan(svc, topology, {
    ...CONNECTION, addresses: [`${LAN_MACHINE}/24`],
    routes: [{ to: '10.7.0.0/24', via: '192.168.1.100' }, { to: '10.2.1.0/24', via: '192.168.1.100' }, { to: '192.0.2.0/24', via: '192.168.1.1' }],
  });
  const wgSite = await topology.addUplinkSite('192.0.2.21');
  const wgClient = await startRemoteWireguard(topology, {
    ns: wgSite, index: 1, dir: svc.dataDir, gatewayPublicKey: generateWireguardKeyPair().publicKey, gatewayPort: 51820, address4: '10.7.0.2/24', allowed: ['10.7.0.0/24'],
  });
  await sh('ip', ['-n', wgSite, 'route', 'add', '192.168.1.0/24', 'dev', wgClient.ifname]);
  await sh('ip', ['-n', topology.remote, 'addr', 'add', '10.2.1.1/24', 'dev', 'lo']);
  await startRemoteCharon(topology, svc.dataDir, [{
    name: 'bench', localAddress: '192.0.2.2', localTs: '10.2.1.0/24', remoteTs: '192.168.1.0/24', psk: PSK, ikeProposal: ikeProposal(SECURITY), espProposal: espProposal(SECURITY),
  }]);
  return { svc, topology, lan, wgSite, wgClient };
}

async function main() {
  const missing = missingForE2e();
  if (missing.length > 0) throw new Error(`needs: ${missing.join(', ')}`);
  const topology = await createTopology();
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const b = await setUp(topology, svc);
    const wg: number[] = [];
    const ipsec: number[] = [];
    for (let run = 0; run < RUNS; run++) wg.push(await wireguardRun(b, run));
    for (let run = 0; run < RUNS; run++) ipsec.push(await ipsecRun(b, run));
    const { change, noop } = await peerChangeTimes(b);
    const { parallel, serial } = await firstPassTimes(b);
    const throughput = [
      ['WireGuard (wireguard-go)', await wireguardThroughput(b)], ['IPSec (kernel-libipsec)', await ipsecThroughput(b)], ['no tunnel (plain router)', await plainThroughput(b)],
    ] as const;
    const row = (name: string, v: number[]) => `| ${name.padEnd(68)} | ${String(v.length).padStart(4)} | ${percentile(v, 50).toFixed(0).padStart(7)} | ${percentile(v, 99).toFixed(0).padStart(7)} |`;
    console.log([`| ${'measurement (ms)'.padEnd(68)} | runs |     p50 |     p99 |`, '|---|---|---|---|',
      row('WireGuard: peer POST answered -> first ping reply from a LAN machine', wg), row('IPSec: tunnel POST answered -> first ping reply from a LAN machine', ipsec),
      row('WireGuard: apply one changed peer (20 peers)', change), row('WireGuard: apply with nothing changed (20 peers)', noop),
      row(`first full pass, ${PASS_GATEWAYS} IPSec gateways, the driver's parallel applies`, parallel), row(`first full pass, ${PASS_GATEWAYS} IPSec gateways, one at a time`, serial)].join('\n'));
    console.log(`\n| TCP to a LAN machine (iperf3, one stream, ${IPERF_SECONDS} s) | Mbit/s | retransmits |\n|---|---|---|`);
    for (const [path, r] of throughput) console.log(`| ${path.padEnd(38)} | ${r.mbits.toFixed(0).padStart(6)} | ${String(r.retransmits).padStart(11)} |`);
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
}

await main();
