/**
 * `npm run bench:fleet-dataplane [runs]` (root, wireguard-go): the API answer to traffic flowing on a
 * remote gateway host. `vpngw serve --driver none` (PostgreSQL when PG_URL is set, else SQLite) and one
 * `vpngw agent --driver linux --netns <host>` as real processes, the host a namespace on an uplink
 * segment with a LAN machine behind it (test/e2e/support/fleet-topology.ts), measured for:
 * 1. a peer POST on a gateway already up: from its 201 to the first ping reply from the LAN machine,
 *    through a WireGuard client waiting with the peer's key;
 *    and, apart, from its 201 to the peer in the gateway's WireGuard interface (its UAPI socket polled every ms);
 * 2. a gateway POST: from its 201 (then at once the POST of the client's peer) to the first ping reply.
 * Each run's peer or gateway is deleted, and its removal applied, before the next one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayNamespaceName, wireguardInterfaceName } from '../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../src/domain/wireguard-keys.ts';
import { createTestDatabase } from '../test/support/postgres-database.ts';
import { enrollmentTokenFile, fleetInstallation, startFleetAgent, startFleetServer, type FleetAgent, type FleetServer } from '../test/e2e/support/fleet-processes.ts';
import { createFleetTopology, type FleetTopology } from '../test/e2e/support/fleet-topology.ts';
import { namespaceExists } from '../test/e2e/support/topology.ts';
import { contractOf, operator } from '../test/e2e/support/operator.ts';
import { gatewayWithStatus } from '../test/e2e/support/service.ts';
import { eventually, missingForE2e, nsExec, sh } from '../test/e2e/support/system.ts';

const RUNS = Number(process.argv[2] ?? 10);
const DATACENTER = 'e0e1e2e3-e4e5-4e6e-8e7e-e8e9eaebeced';
const LAN_MACHINE = '192.168.1.10';

interface Client {
  ns: string;
  ifname: string;
  publicKey: string;
  address: string;
}

/** A WireGuard client (wireguard-go) in its own site namespace, waiting for a gateway to accept its key. */
async function waitingClient(topology: FleetTopology, dir: string, index: number, siteAddress: string, address: string): Promise<Client> {
  const ns = await topology.addSite(siteAddress);
  const ifname = `vb${topology.tag}${index}`;
  topology.wireguardInterfaces.push(ifname);
  const keys = generateWireguardKeyPair();
  const keyFile = join(dir, `${ifname}.key`);
  writeFileSync(keyFile, `${keys.privateKey}\n`, { mode: 0o600 });
  await nsExec(ns, 'setsid', ['wireguard-go', ifname], { env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' } });
  await nsExec(ns, 'wg', ['set', ifname, 'private-key', keyFile]);
  await sh('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', ifname]);
  await sh('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
  await sh('ip', ['-n', ns, 'route', 'add', `${LAN_MACHINE.replace(/\.\d+$/, '.0')}/24`, 'dev', ifname]);
  return { ns, ifname, publicKey: keys.publicKey, address };
}

const ping = async (client: Client) => / 0% packet loss/.test(await nsExec(client.ns, 'ping', ['-c', '1', '-W', '0.05', '-I', client.address, LAN_MACHINE], { allowFail: true }));

/**
 * The first ping reply through the client, which dials afresh before each ping (50 ms) while it has no
 * session: a handshake sent before the gateway had the peer is otherwise retried only after
 * WireGuard's 5 s REKEY_TIMEOUT, which would measure WireGuard rather than the fleet. Re-adding the
 * peer with a keepalive starts a handshake at once; once one completed, it only pings.
 */
async function firstReply(client: Client, gatewayKey: string, endpoint: string, tunnel: string): Promise<number> {
  return eventually('a ping reply through WireGuard', async () => {
    const handshakes = await nsExec(client.ns, 'wg', ['show', client.ifname, 'latest-handshakes']);
    if (!handshakes.split('\n').some((line) => line.startsWith(gatewayKey) && Number(line.split('\t')[1]) > 0)) {
      await nsExec(client.ns, 'wg', ['set', client.ifname, 'peer', gatewayKey, 'remove']);
      await nsExec(client.ns, 'wg', ['set', client.ifname, 'peer', gatewayKey, 'allowed-ips', `${tunnel},192.168.1.0/24`, 'endpoint', endpoint, 'persistent-keepalive', '1']);
    }
    return (await ping(client)) ? performance.now() : undefined;
  }, 60_000, 0);
}

async function forgetGateways(client: Client) {
  for (const key of (await nsExec(client.ns, 'wg', ['show', client.ifname, 'peers'])).split('\n').filter(Boolean)) {
    await nsExec(client.ns, 'wg', ['set', client.ifname, 'peer', key, 'remove']);
  }
}

function gatewayBody(name: string, gatewayIP: string, subnet: string, lanAddress: string, listenPort: number) {
  return { properties: {
    name, gatewayIP, interfaceIPv4CIDR: `${subnet}.1/24`, listenPort, privateKey: generateWireguardKeyPair().privateKey,
    connections: [{ datacenterId: DATACENTER, lanId: '1', ipv4CIDR: `${lanAddress}/24` }],
  } };
}

async function peerRun(server: FleetServer, gateway: { id: string; publicKey: string }, client: Client, run: number): Promise<number> {
  await forgetGateways(client);
  const peer = await server.request('POST', `/wireguardgateways/${gateway.id}/peers`, { properties: { name: `bench-${run}`, publicKey: client.publicKey, allowedIPs: [`${client.address}/32`] } });
  const answered = performance.now();
  if (peer.status !== 201) throw new Error(JSON.stringify(peer.body));
  const elapsed = (await firstReply(client, gateway.publicKey, '192.0.2.1:51820', '10.7.0.0/24')) - answered;
  await server.request('DELETE', `/wireguardgateways/${gateway.id}/peers/${peer.body.id}`);
  const ns = gatewayNamespaceName(gateway.id);
  const ifname = wireguardInterfaceName(gateway.id);
  await eventually('the peer removed from the gateway', async () => !(await nsExec(ns, 'wg', ['show', ifname, 'peers'])).includes(client.publicKey), 20_000, 20);
  return elapsed;
}

/** The public keys (hex) of a wireguard-go interface's peers, asked on its UAPI socket (no process started, so polling is cheap). */
function uapiPeers(ifname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = createConnection(`/var/run/wireguard/${ifname}.sock`, () => socket.write('get=1\n\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('errno=')) socket.end();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** From a peer POST's 201 to the peer in the gateway's WireGuard interface (polled every ms): the fleet's share of the time above. */
async function peerAppliedRun(server: FleetServer, gatewayId: string, run: number): Promise<number> {
  const publicKey = generateWireguardKeyPair().publicKey;
  const hex = `public_key=${Buffer.from(publicKey, 'base64').toString('hex')}`;
  const ifname = wireguardInterfaceName(gatewayId);
  const peer = await server.request('POST', `/wireguardgateways/${gatewayId}/peers`, { properties: { name: `applied-${run}`, publicKey, allowedIPs: ['10.7.0.99/32'] } });
  const answered = performance.now();
  if (peer.status !== 201) throw new Error(JSON.stringify(peer.body));
  const applied = await eventually('the peer in the gateway', async () => ((await uapiPeers(ifname)).includes(hex) ? performance.now() : undefined), 20_000, 1);
  await server.request('DELETE', `/wireguardgateways/${gatewayId}/peers/${peer.body.id}`);
  await eventually('the peer removed from the gateway', async () => !(await uapiPeers(ifname)).includes(hex), 20_000, 5);
  return applied - answered;
}

async function gatewayRun(server: FleetServer, topology: FleetTopology, host: string, client: Client, run: number): Promise<number> {
  await forgetGateways(client);
  const gw = await server.request('POST', '/wireguardgateways', gatewayBody(`bench-gw-${run}`, '192.0.2.11', '10.8.0', '192.168.1.101', 51821));
  const answered = performance.now();
  if (gw.status !== 201) throw new Error(JSON.stringify(gw.body));
  const id = String(gw.body.id);
  topology.adoptGateway(id);
  const peer = await server.request('POST', `/wireguardgateways/${id}/peers`, { properties: { name: 'p', publicKey: client.publicKey, allowedIPs: [`${client.address}/32`] } });
  if (peer.status !== 201) throw new Error(JSON.stringify(peer.body));
  const elapsed = (await firstReply(client, String(gw.body.metadata.publicKey), '192.0.2.11:51821', '10.8.0.0/24')) - answered;
  await server.request('DELETE', `/wireguardgateways/${id}`);
  await eventually('the gateway\'s namespace removed by the agent', async () => !(await namespaceExists(gatewayNamespaceName(id))), 30_000, 50);
  await eventually('192.0.2.11 given back to the host', async () => (await sh('ip', ['-n', host, '-o', 'addr', 'show'])).includes(' 192.0.2.11/'), 30_000, 50);
  return elapsed;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main() {
  const missing = missingForE2e();
  if (missing.length > 0) {
    process.stderr.write(`bench:fleet-dataplane needs: ${missing.join(', ')} (run it as root; scripts/install-test-prerequisites.sh installs the tools)\n`);
    process.exit(2);
  }
  const database = process.env.PG_URL ? await createTestDatabase() : undefined;
  const topology = await createFleetTopology();
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-fleet-bench-'));
  let server: FleetServer | undefined;
  let agent: FleetAgent | undefined;
  try {
    const host = await topology.addHost('edge-1', ['192.0.2.1', '192.0.2.11']);
    await sh('ip', ['-n', host.lan.ns, 'route', 'add', '10.7.0.0/24', 'via', '192.168.1.100']);
    await sh('ip', ['-n', host.lan.ns, 'route', 'add', '10.8.0.0/24', 'via', '192.168.1.101']);
    server = await startFleetServer(fleetInstallation(database?.url), { adoptGateway: topology.adoptGateway, heartbeatTimeoutMs: 60_000 });
    await operator(server, ['datacenter', 'create', '--contract', String(await contractOf(server)), '--id', DATACENTER, '--data-dir', server.dataDir], server.operatorEnv);
    agent = await startFleetAgent({
      name: host.name, ns: host.ns, servers: [server.baseUrl], addresses: ['192.0.2.1', '192.0.2.11'],
      lans: [`${DATACENTER}:1=${host.lan.hostInterface}`], tokenFile: await enrollmentTokenFile(server, dir, 'edge-1'),
    });
    const peerClient = await waitingClient(topology, dir, 1, '192.0.2.21', '10.7.0.2');
    const gatewayClient = await waitingClient(topology, dir, 2, '192.0.2.22', '10.8.0.2');
    const standing = await server.request('POST', '/wireguardgateways', gatewayBody('bench-standing', '192.0.2.1', '10.7.0', '192.168.1.100', 51820));
    if (standing.status !== 201) throw new Error(JSON.stringify(standing.body));
    const gateway = { id: String(standing.body.id), publicKey: String(standing.body.metadata.publicKey) };
    await gatewayWithStatus(server, 'wireguardgateways', gateway.id, 'AVAILABLE', 30_000);
    const peers: number[] = [];
    const gateways: number[] = [];
    const applied: number[] = [];
    for (let run = 0; run < RUNS; run++) applied.push(await peerAppliedRun(server, gateway.id, run));
    for (let run = 0; run < RUNS; run++) peers.push(await peerRun(server, gateway, peerClient, run));
    for (let run = 0; run < RUNS; run++) gateways.push(await gatewayRun(server, topology, host.ns, gatewayClient, run));
    const row = (name: string, v: number[]) => `| ${name.padEnd(72)} | ${String(v.length).padStart(4)} | ${percentile(v, 50).toFixed(0).padStart(7)} | ${percentile(v, 99).toFixed(0).padStart(7)} |`;
    console.log(`vpngw serve --driver none (${database ? 'PostgreSQL' : 'SQLite'}) + vpngw agent --driver linux --netns, one host`);
    console.log([`| ${'measurement (ms)'.padEnd(72)} | runs |     p50 |     p99 |`, '|---|---|---|---|',
      row('peer POST answered (gateway up) -> peer in the gateway\'s interface', applied),
      row('peer POST answered (gateway up) -> first ping reply from a LAN machine', peers),
      row('gateway POST answered (its peer POSTed next) -> first ping reply', gateways)].join('\n'));
  } finally {
    await agent?.cleanup();
    await server?.cleanup();
    await topology.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  }
}

await main();
