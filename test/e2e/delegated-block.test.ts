import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uplinkLegName } from '../../src/agent/linux/names.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { enrollmentTokenFile, fleetInstallation, startFleetAgent, startFleetServer, type FleetAgent, type FleetServer } from './support/fleet-processes.ts';
import { expectNothingLeft, gatewayNs, interfaceAddresses } from './support/gateway-host.ts';
import { attachLan, contractOf, createDatacenter, operator } from './support/operator.ts';
import { CONNECTIONS, gatewayWithStatus, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology, type Lan, type Topology } from './support/topology.ts';
import { requireWgQuick, startWireguardClient } from './support/wireguard-client.ts';

// The host is 192.0.2.1/24 on its uplink, with its default route via the upstream 192.0.2.2 (the
// remote namespace, which also runs the WireGuard client). The operator delegated 192.0.2.64/28 to
// the host; the upstream delivers its addresses on-link (it ARPs for them). None is on the host.
const BLOCK = '192.0.2.64/28';
const GATEWAY_IP = '192.0.2.70';
const BLOCK6 = '2001:db8:2:0:ff::/80';
const GATEWAY_IP6 = '2001:db8:2:0:ff::5';
const LAN = CONNECTIONS[0] ?? { datacenterId: '', lanId: '', ipv4CIDR: '' };
const LAN_MACHINE = { addresses: ['192.168.1.10/24'], routes: [{ to: '10.9.0.0/24', via: '192.168.1.100' }] };

const global = (addresses: string[]) => addresses.filter((a) => !a.startsWith('fe80:'));

/** Every address on every interface of a namespace, as `a.b.c.d/len`. */
async function addressesIn(ns: string): Promise<string[]> {
  const links = JSON.parse(await sh('ip', ['-n', ns, '-j', 'addr', 'show'])) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
}

async function delegatedTopology(): Promise<Topology> {
  const topology = await createTopology();
  try {
    await sh('ip', ['-n', topology.host, 'route', 'add', 'default', 'via', '192.0.2.2']);
    // IPv6 likewise: the host 2001:db8:2::1/64, the upstream 2001:db8:2::2 its default route, the block BLOCK6.
    await sh('ip', ['-n', topology.host, 'addr', 'add', '2001:db8:2::1/64', 'dev', topology.uplink, 'nodad']);
    await sh('ip', ['-n', topology.remote, 'addr', 'add', '2001:db8:2::2/64', 'dev', topology.remoteUplink, 'nodad']);
    await sh('ip', ['-n', topology.host, '-6', 'route', 'add', 'default', 'via', '2001:db8:2::2']);
  } catch (error) {
    await topology.cleanup();
    throw error;
  }
  return topology;
}

/**
 * A WireGuard gateway on GATEWAY_IP: AVAILABLE with the address alone on its leg as a /32 and an on-link
 * default route, a client on the upstream pings the LAN machine through it, `restart` (the service or
 * the agent) keeps it so, and once deleted nothing of it is left and the address is on no interface.
 */
async function exerciseDelegatedGateway(service: E2eService, topology: Topology, machine: Lan, restart: () => Promise<void>) {
  const created = await service.request('POST', '/wireguardgateways', { properties: {
    name: 'delegated', gatewayIP: GATEWAY_IP, interfaceIPv4CIDR: '10.9.0.1/24', listenPort: 51820, connections: [LAN],
    privateKey: generateWireguardKeyPair().privateKey,
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const gatewayId = created.body.id as string;
  const client = await startWireguardClient(topology, service, { ns: topology.remote, name: 'd', gatewayId, allowedIPs: ['10.9.0.2/32'] });
  const available = await gatewayWithStatus(service, 'wireguardgateways', gatewayId, 'AVAILABLE', 30_000);
  assert.equal(available.properties.gatewayIP, GATEWAY_IP);

  const ns = gatewayNs(gatewayId);
  const leg = uplinkLegName(gatewayId);
  assert.deepEqual(global(await interfaceAddresses(ns, leg)), [`${GATEWAY_IP}/32`], 'the gateway\'s uplink leg holds the address alone, as a /32');
  assert.deepEqual(global(await interfaceAddresses(topology.host, topology.uplink)), ['192.0.2.1/24', '2001:db8:2::1/64'], 'the host interface did not get or lose an address');
  assert.match(await nsExec(ns, 'ip', ['-4', 'route', 'show', 'default']), new RegExp(`^default via 192\\.0\\.2\\.2 dev ${leg} onlink`));
  await eventually('a ping from the WireGuard client to the LAN machine', () => pingOnce(topology.remote, client.address, machine.address), 30_000);

  // The record keeps the lease delegated: after a restart the address is neither taken from nor given to the host.
  await restart();
  assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
  assert.deepEqual(global(await interfaceAddresses(ns, leg)), [`${GATEWAY_IP}/32`]);
  await eventually('the client to reach the LAN machine after the restart', () => pingOnce(topology.remote, client.address, machine.address), 15_000);

  assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}`)).status, 202);
  await eventually('the gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${gatewayId}`)).status === 404);
  await expectNothingLeft(service, topology, { id: gatewayId, kind: 'wireguard', connections: [LAN] });
  for (const where of [topology.host, topology.remote, machine.ns]) {
    assert.ok(!(await addressesIn(where)).some((a) => a.startsWith(`${GATEWAY_IP}/`)), `${GATEWAY_IP} is on no interface in ${where}`);
  }
  assert.equal(await pingOnce(topology.remote, '192.0.2.2', GATEWAY_IP), false, `nothing answers for ${GATEWAY_IP} any more`);
}

test('vpngw agent --driver linux assigns a delegated block\'s address (--delegated-block CIDR=INTERFACE) to the gateway placed on its host', { timeout: 120_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await delegatedTopology();
  let server: FleetServer | undefined;
  let agent: FleetAgent | undefined;
  try {
    server = await startFleetServer(fleetInstallation(), { adoptGateway: topology.adoptGateway, heartbeatTimeoutMs: 60_000 });
    const api = server;
    await operator(api, ['datacenter', 'create', '--contract', String(await contractOf(api)), '--id', LAN.datacenterId, '--data-dir', api.dataDir], api.operatorEnv);
    const machine = await topology.addLan(LAN_MACHINE);
    // The host reports no address of its own: only the block places the gateway here.
    const started = agent = await startFleetAgent({
      name: 'edge-d', ns: topology.host, servers: [api.baseUrl], addresses: [], lans: [`${LAN.datacenterId}:${LAN.lanId}=${machine.hostInterface}`],
      tokenFile: await enrollmentTokenFile(api, api.dataDir, 'edge-d'), delegatedBlocks: [`${BLOCK}=${topology.uplink}`],
    });
    await exerciseDelegatedGateway(api, topology, machine, async () => (await started.stop(), await started.start()));
  } finally {
    await agent?.cleanup();
    await server?.cleanup();
    await topology.cleanup();
  }
});

test('vpngw serve --driver linux with VPNGW_DELEGATED_BLOCKS (no interface: the default route\'s) runs gateways on delegated IPv4 and IPv6 addresses', { timeout: 120_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await delegatedTopology();
  let svc: E2eService | undefined;
  try {
    const service = svc = await startService(topology, { env: { VPNGW_DELEGATED_BLOCKS: `${BLOCK},${BLOCK6}` } });
    await createDatacenter(service, await contractOf(service), LAN.datacenterId);
    const machine = await attachLan(service, topology, { ...LAN, ...LAN_MACHINE });
    await exerciseDelegatedGateway(service, topology, machine, () => service.restart());

    // An IPv6 gatewayIP from a delegated block: a /128, answered on-link, replying through the host's IPv6 default route.
    const v6 = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'delegated-v6', gatewayIP: GATEWAY_IP6, interfaceIPv4CIDR: '10.8.0.1/24', listenPort: 51820, connections: [{ ...LAN, ipv4CIDR: '192.168.1.101/24' }],
      privateKey: generateWireguardKeyPair().privateKey,
    } });
    assert.equal(v6.status, 201, JSON.stringify(v6.body));
    assert.equal((await settledGateway(service, 'wireguardgateways', v6.body.id)).metadata.status, 'AVAILABLE');
    assert.deepEqual(global(await interfaceAddresses(gatewayNs(v6.body.id), uplinkLegName(v6.body.id))), [`${GATEWAY_IP6}/128`]);
    await eventually(`a ping from the upstream to ${GATEWAY_IP6}`, () => pingOnce(topology.remote, '2001:db8:2::2', GATEWAY_IP6), 15_000);
    assert.equal((await service.request('DELETE', `/wireguardgateways/${v6.body.id}`)).status, 202);
    await eventually('the IPv6 gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${v6.body.id}`)).status === 404);
    assert.ok(!(await addressesIn(topology.host)).some((a) => a.startsWith(`${GATEWAY_IP6}/`)), `${GATEWAY_IP6} was not given to the host`);
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});

// Not delegated, for contrast: an IPv6 gatewayIP the host holds on its uplink, taken by the gateway, with
// the host's IPv6 default route via the upstream router's link-local address (the usual IPv6 router).
// The client sits on another IPv6 network beyond that router, so only that route brings the replies back.
const TAKEN_IP6 = '2001:db8:2::5';
const CLIENT6 = '2001:db8:99::10';

test('vpngw serve --driver linux: an IPv6 gatewayIP taken from the host gets the host\'s IPv6 default route (a link-local router), and a client beyond the router reaches it', { timeout: 120_000 }, async (t) => {
  if (!requireE2e(t)) return;
  const topology = await createTopology();
  let svc: E2eService | undefined;
  try {
    await sh('ip', ['-n', topology.host, 'addr', 'add', '2001:db8:2::1/64', 'dev', topology.uplink, 'nodad']);
    await sh('ip', ['-n', topology.host, 'addr', 'add', `${TAKEN_IP6}/64`, 'dev', topology.uplink, 'nodad']);
    await sh('ip', ['-n', topology.remote, 'addr', 'add', '2001:db8:2::2/64', 'dev', topology.remoteUplink, 'nodad']);
    await sh('ip', ['-n', topology.remote, 'addr', 'add', 'fe80::2/64', 'dev', topology.remoteUplink, 'nodad']);
    await sh('ip', ['-n', topology.host, '-6', 'route', 'add', 'default', 'via', 'fe80::2', 'dev', topology.uplink]);
    // The router (the remote namespace) forwards between the uplink and the client's network 2001:db8:99::/64.
    const client = await topology.addNamespace('c6');
    const [routerSide, clientSide] = [`c6${topology.tag}r`, `c6${topology.tag}c`];
    await sh('ip', ['link', 'add', routerSide, 'netns', topology.remote, 'type', 'veth', 'peer', 'name', clientSide, 'netns', client]);
    await sh('ip', ['-n', topology.remote, 'addr', 'add', '2001:db8:99::1/64', 'dev', routerSide, 'nodad']);
    await sh('ip', ['-n', client, 'addr', 'add', `${CLIENT6}/64`, 'dev', clientSide, 'nodad']);
    await sh('ip', ['-n', topology.remote, 'link', 'set', routerSide, 'up']);
    await sh('ip', ['-n', client, 'link', 'set', clientSide, 'up']);
    await sh('ip', ['-n', client, '-6', 'route', 'add', 'default', 'via', '2001:db8:99::1']);
    await nsExec(topology.remote, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);

    const service = svc = await startService(topology);
    await createDatacenter(service, await contractOf(service), LAN.datacenterId);
    await attachLan(service, topology, { ...LAN, ...LAN_MACHINE });
    const created = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'taken-v6', gatewayIP: TAKEN_IP6, interfaceIPv4CIDR: '10.7.0.1/24', listenPort: 51820, connections: [LAN],
      privateKey: generateWireguardKeyPair().privateKey,
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
    const ns = gatewayNs(gatewayId);
    const leg = uplinkLegName(gatewayId);
    assert.deepEqual(global(await interfaceAddresses(ns, leg)), [`${TAKEN_IP6}/64`], 'the leg holds the address with the host\'s prefix');
    assert.deepEqual(global(await interfaceAddresses(topology.host, topology.uplink)), ['192.0.2.1/24', '2001:db8:2::1/64'], 'taken from the host');
    assert.match(await nsExec(ns, 'ip', ['-6', 'route', 'show', 'default']), new RegExp(`^default via fe80::2 dev ${leg} `));
    await eventually(`a ping from ${CLIENT6}, beyond the router, to ${TAKEN_IP6}`, () => pingOnce(client, CLIENT6, TAKEN_IP6), 15_000);

    // Without the route the replies do not come back; the next pass (after a restart) puts it back.
    await service.stop();
    await nsExec(ns, 'ip', ['-6', 'route', 'del', 'default']);
    assert.equal(await pingOnce(client, CLIENT6, TAKEN_IP6), false, 'without the route the client is not answered');
    await service.restart();
    assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');
    await eventually('the client to reach the gateway after the restart', () => pingOnce(client, CLIENT6, TAKEN_IP6), 15_000);

    assert.equal((await service.request('DELETE', `/wireguardgateways/${gatewayId}`)).status, 202);
    await eventually('the gateway to be deleted', async () => (await service.request('GET', `/wireguardgateways/${gatewayId}`)).status === 404);
    await expectNothingLeft(service, topology, { id: gatewayId, kind: 'wireguard', connections: [LAN] });
    assert.ok((await interfaceAddresses(topology.host, topology.uplink)).includes(`${TAKEN_IP6}/64`), 'given back to the host interface');
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
