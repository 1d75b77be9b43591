import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { gatewayNamespaceName, wireguardInterfaceName } from '../../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres-database.ts';
import { fleetInstallation, enrollmentTokenFile, startFleetAgent, startFleetServer, type FleetAgent, type FleetServer } from './support/fleet-processes.ts';
import { createFleetTopology, type FleetTopology } from './support/fleet-topology.ts';
import { contractOf, operator } from './support/operator.ts';
import { gatewayWithStatus, type ApiClient } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { latestHandshake, requireWgQuick, startWireguardClient, type WireguardClient } from './support/wireguard-client.ts';

// Two API servers (`vpngw serve --driver none`) on one PostgreSQL database, two gateway hosts (each a
// namespace running `vpngw agent --driver linux --netns`, on one shared uplink segment, each with its
// own LAN machine 192.168.1.10), and WireGuard clients in their own namespaces on the segment.
const DATACENTER = 'c4f1e2d3-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const LAN = '2';
const HEARTBEAT_TIMEOUT_MS = 2500;
const WG = 'wireguardgateways';

interface Gateway {
  id: string;
  privateKey: string;
  ifname: string;
  ns: string;
}

async function createGateway(server: ApiClient, name: string, gatewayIP: string, subnet: number, lanAddress: string): Promise<Gateway> {
  const privateKey = generateWireguardKeyPair().privateKey;
  const created = await server.request('POST', `/${WG}`, { properties: {
    name, gatewayIP, interfaceIPv4CIDR: `10.9.${subnet}.1/24`, listenPort: 51820, privateKey,
    connections: [{ datacenterId: DATACENTER, lanId: LAN, ipv4CIDR: `${lanAddress}/24` }],
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = String(created.body.id);
  return { id, privateKey, ifname: wireguardInterfaceName(id), ns: gatewayNamespaceName(id) };
}

const ifindexOf = async (gateway: Gateway) => JSON.parse(await sh('ip', ['-n', gateway.ns, '-j', 'link', 'show', 'dev', gateway.ifname]))[0].ifindex as number;
const peersOf = async (gateway: Gateway) => (await nsExec(gateway.ns, 'wg', ['show', gateway.ifname, 'peers'])).split('\n').filter(Boolean);
const hostAddresses = async (ns: string, dev: string) => JSON.parse(await sh('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', dev]))[0].addr_info.map((a: { local: string }) => a.local) as string[];

/** A continuous ping (every 100 ms) from a client through its tunnel to the LAN machine. */
function continuousPing(client: WireguardClient) {
  const child = spawn('ip', ['netns', 'exec', client.ns, 'ping', '-D', '-O', '-i', '0.1', '-W', '1', '-I', client.address, '192.168.1.10'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid ?? 0,
    /** Stops it; the requests sent, the replies, and the longest time between two replies (ms). */
    async stop() {
      child.kill('SIGINT');
      await exited;
      const replies = [...output.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]) * 1000);
      const summary = /(\d+) packets transmitted, (\d+) received/.exec(output);
      let longestGapMs = 0;
      for (let i = 1; i < replies.length; i++) longestGapMs = Math.max(longestGapMs, (replies[i] ?? 0) - (replies[i - 1] ?? 0));
      return { sent: Number(summary?.[1] ?? 0), received: Number(summary?.[2] ?? 0), longestGapMs: Math.round(longestGapMs) };
    },
  };
}

const silentMessage = (host: string) => new RegExp(`^gateway host ${host} has not been heard from since `);

test('the fleet: two API servers on PostgreSQL, two gateway hosts running vpngw agent --driver linux, real WireGuard traffic', { timeout: 240_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const unavailable = postgresUnavailable();
  if (unavailable) {
    t.skip(unavailable);
    return;
  }
  const database = await createTestDatabase();
  let topology: FleetTopology | undefined;
  const servers: FleetServer[] = [];
  const agents: FleetAgent[] = [];
  try {
    const topo = topology = await createFleetTopology();
    const installation = fleetInstallation(database.url);
    const hostA = await topo.addHost('edge-a', ['192.0.2.1']);
    const hostB = await topo.addHost('edge-b', ['192.0.2.3']);
    // The LAN machines route the clients' tunnel networks back through their gateways' LAN addresses.
    await sh('ip', ['-n', hostA.lan.ns, 'route', 'add', '10.9.1.0/24', 'via', '192.168.1.100']);
    await sh('ip', ['-n', hostB.lan.ns, 'route', 'add', '10.9.2.0/24', 'via', '192.168.1.101']);
    await sh('ip', ['-n', hostB.lan.ns, 'route', 'add', '10.9.3.0/24', 'via', '192.168.1.102']);
    const s1 = await startFleetServer(installation, { adoptGateway: topo.adoptGateway, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    servers.push(s1);
    const s2 = await startFleetServer(installation, { adoptGateway: topo.adoptGateway, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    servers.push(s2);
    await operator(s1, ['datacenter', 'create', '--contract', String(await contractOf(s1)), '--id', DATACENTER, '--data-dir', s1.dataDir], s1.operatorEnv);
    const bothServers = [s1.baseUrl, s2.baseUrl];
    const [agentA, agentB] = await Promise.all([
      startFleetAgent({ name: hostA.name, ns: hostA.ns, servers: bothServers, addresses: ['192.0.2.1'], lans: [`${DATACENTER}:${LAN}=${hostA.lan.hostInterface}`], tokenFile: await enrollmentTokenFile(s1, s1.dataDir, 'a') }),
      startFleetAgent({ name: hostB.name, ns: hostB.ns, servers: bothServers, addresses: ['192.0.2.3'], lans: [`${DATACENTER}:${LAN}=${hostB.lan.hostInterface}`], tokenFile: await enrollmentTokenFile(s2, s2.dataDir, 'b') }),
    ]);
    agents.push(agentA, agentB);

    let gwA: Gateway;
    let gwB: Gateway;
    let clientA: WireguardClient;
    let clientB: WireguardClient;
    /** Every peer of host B's gateways the test made: none of their keys may reach host A. */
    const peerKeysOfB: string[] = [];

    await t.test('gateways created through either server land on the host holding their gatewayIP and carry traffic', async () => {
      gwA = await createGateway(s1, 'gw-a', '192.0.2.1', 1, '192.168.1.100');
      gwB = await createGateway(s2, 'gw-b', '192.0.2.3', 2, '192.168.1.101');
      await gatewayWithStatus(s2, WG, gwA.id, 'AVAILABLE', 30_000);
      await gatewayWithStatus(s1, WG, gwB.id, 'AVAILABLE', 30_000);
      // Each host's agent took its gatewayIP off that host's uplink for the gateway; the other host kept its own.
      assert.ok(!(await hostAddresses(hostA.ns, hostA.uplink)).includes('192.0.2.1'), 'host A gave 192.0.2.1 to its gateway');
      assert.ok(!(await hostAddresses(hostB.ns, hostB.uplink)).includes('192.0.2.3'), 'host B gave 192.0.2.3 to its gateway');
      const hosts = (await s1.request('GET', '/fleet/v1/hosts')).body.items as Array<{ name: string; gatewayCount: number; connected: boolean }>;
      assert.deepEqual(hosts.map((h) => [h.name, h.gatewayCount, h.connected]).sort(), [['edge-a', 1, true], ['edge-b', 1, true]]);
      clientA = await startWireguardClient(topo, s1, { ns: await topo.addSite('192.0.2.21'), name: 'a', gatewayId: gwA.id, allowedIPs: ['10.9.1.2/32'] });
      clientB = await startWireguardClient(topo, s2, { ns: await topo.addSite('192.0.2.22'), name: 'b', gatewayId: gwB.id, allowedIPs: ['10.9.2.2/32'] });
      peerKeysOfB.push(clientB.publicKey);
      await eventually('client A to reach the LAN machine behind host A', () => pingOnce(clientA.ns, clientA.address, '192.168.1.10'), 30_000);
      await eventually('client B to reach the LAN machine behind host B', () => pingOnce(clientB.ns, clientB.address, '192.168.1.10'), 30_000);
      // Host A's agent sends the session's live state (every 10 s when it changed): either server's /status serves it.
      const live = await eventually('the handshake in /status', async () => {
        const peer = (await s2.request('GET', `/wireguardgateways/${gwA.id}/status`)).body?.properties?.peers?.[0];
        return peer?.configured === true && peer.latestHandshake !== null && peer.transferRxBytes > 0 ? peer : undefined;
      }, 30_000);
      assert.equal(live.publicKey, clientA.publicKey);
    });

    await t.test('kill -9 of one API server during a burst of writes: every acknowledged write is kept and applied, the agents move on, traffic keeps flowing', async () => {
      const pingA = continuousPing(clientA);
      const pingB = continuousPing(clientB);
      topo.killAtCleanup(pingA.pid);
      topo.killAtCleanup(pingB.pid);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // 32 peer writes, alternately through server 1 and server 2, four at a time; server 1 dies after the 10th answer.
      const writes = Array.from({ length: 32 }, (_, i) => ({ gateway: i % 4 < 2 ? gwA : gwB, subnet: i % 4 < 2 ? 1 : 2, host: 10 + i, server: i % 2 === 0 ? s1 : s2 }));
      const acknowledged: Array<{ gateway: Gateway; id: string; publicKey: string; via: FleetServer }> = [];
      let answered = 0;
      let refused = 0;
      let killed: Promise<void> | undefined;
      let next = 0;
      const worker = async () => {
        while (next < writes.length) {
          const write = writes[next++];
          if (!write) break;
          const publicKey = generateWireguardKeyPair().publicKey;
          try {
            const response = await write.server.request('POST', `/${WG}/${write.gateway.id}/peers`, { properties: { name: `burst-${write.host}`, publicKey, allowedIPs: [`10.9.${write.subnet}.${write.host}/32`] } });
            if (response.status === 201) acknowledged.push({ gateway: write.gateway, id: String(response.body.id), publicKey, via: write.server });
            else assert.fail(`a write answered ${response.status}: ${JSON.stringify(response.body)}`);
          } catch (error) {
            if (write.server !== s1 || !killed) throw error;
            refused++;
          }
          if (++answered === 10) killed = s1.kill9();
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      await killed;
      for (const write of acknowledged) if (write.gateway === gwB) peerKeysOfB.push(write.publicKey);
      assert.ok(refused > 0 && acknowledged.some((w) => w.via === s1) && acknowledged.some((w) => w.via === s2), `writes through both servers were acknowledged and some refused (${acknowledged.length} acknowledged, ${refused} refused)`);
      for (const write of acknowledged) {
        const read = await s2.request('GET', `/${WG}/${write.gateway.id}/peers/${write.id}`);
        assert.equal(read.status, 200, `the acknowledged peer ${write.id} (through ${write.via === s1 ? 'server 1' : 'server 2'}) exists`);
      }
      for (const gateway of [gwA, gwB]) {
        const expected = acknowledged.filter((w) => w.gateway === gateway).map((w) => w.publicKey);
        await eventually(`every acknowledged peer of ${gateway.id} in its WireGuard interface`, async () => {
          const live = await peersOf(gateway);
          return expected.every((key) => live.includes(key));
        }, 20_000);
        await gatewayWithStatus(s2, WG, gateway.id, 'AVAILABLE');
      }
      for (const agent of [agentA, agentB]) assert.match(agent.output(), /API server unreachable; trying the next/, 'the agent moved from server 1 to server 2');
      const [a, b] = [await pingA.stop(), await pingB.stop()];
      t.diagnostic(`burst: ${acknowledged.length} writes acknowledged, ${refused} refused by the killed server; ping A ${a.received}/${a.sent} (longest gap ${a.longestGapMs} ms), ping B ${b.received}/${b.sent} (longest gap ${b.longestGapMs} ms)`);
      for (const result of [a, b]) {
        assert.equal(result.received, result.sent, `no ping lost (${JSON.stringify(result)})`);
        assert.ok(result.longestGapMs < 1000, `no gap of a second between replies (${JSON.stringify(result)})`);
      }
    });

    await t.test('an agent killed: its gateway gets the silent-host message, the other host\'s session is untouched; restarted: AVAILABLE again, its tunnel never went down', async () => {
      const indexA = await ifindexOf(gwA);
      const indexB = await ifindexOf(gwB);
      // The sessions began seconds ago; WireGuard renews one only after 120 s, so a changed handshake here means a torn-down session.
      const handshakeA = await latestHandshake(gwA.ns, gwA.ifname, clientA.publicKey);
      const handshakeB = await latestHandshake(gwB.ns, gwB.ifname, clientB.publicKey);
      assert.ok(handshakeA > 0 && handshakeB > 0, 'both clients have a session');
      const pingA = continuousPing(clientA);
      const pingB = continuousPing(clientB);
      topo.killAtCleanup(pingA.pid);
      topo.killAtCleanup(pingB.pid);
      await agentB.kill9();
      const silent = await eventually('gw-b to carry the silent-host message', async () => {
        const body = (await s2.request('GET', `/${WG}/${gwB.id}`)).body;
        return silentMessage('edge-b').test(body?.metadata?.statusMessage ?? '') ? body : undefined;
      }, 15_000);
      assert.equal(silent.metadata.status, 'AVAILABLE', 'the status stays what the agent last reported');
      const hosts = (await s2.request('GET', '/fleet/v1/hosts')).body.items as Array<{ name: string; connected: boolean }>;
      assert.deepEqual(hosts.map((h) => [h.name, h.connected]).sort(), [['edge-a', true], ['edge-b', false]]);
      const a = (await s2.request('GET', `/${WG}/${gwA.id}`)).body;
      assert.equal(a.metadata.status, 'AVAILABLE');
      assert.ok(!a.metadata.statusMessage, 'host A\'s gateway has no silent-host message');
      assert.equal(await pingOnce(clientB.ns, clientB.address, '192.168.1.10'), true, 'host B\'s tunnel runs without its agent');
      await agentB.start();
      await eventually('gw-b AVAILABLE without the message', async () => {
        const body = (await s2.request('GET', `/${WG}/${gwB.id}`)).body;
        return body?.metadata?.status === 'AVAILABLE' && !body.metadata.statusMessage;
      }, 15_000);
      assert.equal(await ifindexOf(gwA), indexA, 'host A\'s WireGuard interface was not recreated');
      assert.equal(await ifindexOf(gwB), indexB, 'the restarted agent adopted host B\'s interface instead of recreating it');
      assert.equal(await latestHandshake(gwA.ns, gwA.ifname, clientA.publicKey), handshakeA, 'host A\'s session is the same');
      assert.equal(await latestHandshake(gwB.ns, gwB.ifname, clientB.publicKey), handshakeB, 'host B\'s session outlived its agent');
      const [resultA, resultB] = [await pingA.stop(), await pingB.stop()];
      t.diagnostic(`agent B killed and restarted: ping A ${resultA.received}/${resultA.sent} (longest gap ${resultA.longestGapMs} ms), ping B ${resultB.received}/${resultB.sent} (longest gap ${resultB.longestGapMs} ms)`);
      for (const result of [resultA, resultB]) {
        assert.equal(result.received, result.sent, `no ping lost (${JSON.stringify(result)})`);
        assert.ok(result.longestGapMs < 1000, `no gap of a second between replies (${JSON.stringify(result)})`);
      }
    });

    let gwU: Gateway;
    await t.test('a gateway on an address no host holds is FAILED with the reason, then AVAILABLE and carrying traffic once a host has it', async () => {
      gwU = await createGateway(s2, 'gw-unplaced', '192.0.2.5', 3, '192.168.1.102');
      const failed = await gatewayWithStatus(s2, WG, gwU.id, 'FAILED');
      assert.equal(failed.metadata.statusMessage, 'no gateway host holds 192.0.2.5');
      await sh('ip', ['-n', hostB.ns, 'addr', 'add', '192.0.2.5/24', 'dev', hostB.uplink]);
      await agentB.stop();
      await agentB.start(['192.0.2.3', '192.0.2.5']);
      await gatewayWithStatus(s2, WG, gwU.id, 'AVAILABLE', 30_000);
      const clientU = await startWireguardClient(topo, s2, { ns: await topo.addSite('192.0.2.23'), name: 'u', gatewayId: gwU.id, allowedIPs: ['10.9.3.2/32'] });
      peerKeysOfB.push(clientU.publicKey);
      await eventually('the client of the newly placed gateway to reach the LAN machine', () => pingOnce(clientU.ns, clientU.address, '192.168.1.10'), 30_000);
      assert.equal(await pingOnce(clientB.ns, clientB.address, '192.168.1.10'), true, 'host B\'s first gateway still carries traffic');
    });

    await t.test('one host\'s credential fetches only its own gateways and cannot report for the other host\'s', async () => {
      const authorization = `Bearer ${agentA.credential().credential}`;
      const desired = await fetch(`${s2.baseUrl}/agent/v1/desired`, { headers: { authorization } });
      const text = await desired.text();
      assert.equal(desired.status, 200, text);
      assert.deepEqual(JSON.parse(text).gateways.map((g: { id: string }) => g.id), [gwA.id]);
      assert.ok(text.includes(gwA.privateKey), 'host A gets its own gateway\'s key');
      for (const secret of [gwB.privateKey, gwU.privateKey, ...peerKeysOfB]) assert.ok(!text.includes(secret), 'nothing of host B\'s gateways is in host A\'s answer');
      assert.ok(!text.includes(gwB.id) && !text.includes(gwU.id));
      const report = await fetch(`${s2.baseUrl}/agent/v1/reports`, {
        method: 'POST', headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ gateways: [{ id: gwB.id, generation: 1, status: 'FAILED', message: 'reported by the wrong host' }] }),
      });
      assert.equal(report.status, 200);
      assert.deepEqual((await report.json()).gateways, [{ id: gwB.id, outcome: 'NOT_PLACED_HERE' }]);
      const b = (await s2.request('GET', `/${WG}/${gwB.id}`)).body;
      assert.equal(b.metadata.status, 'AVAILABLE');
      assert.notEqual(b.metadata.statusMessage, 'reported by the wrong host');
    });
  } finally {
    for (const agent of agents) await agent.cleanup();
    for (const server of servers) await server.cleanup();
    await topology?.cleanup();
    await database.drop();
  }
});
