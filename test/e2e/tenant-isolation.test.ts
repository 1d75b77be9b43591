import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { gatewayNs } from './support/gateway-host.ts';
import { attachLan, contractOf, createDatacenter, createTenant } from './support/operator.ts';
import { E2E_ADMIN, settledGateway, startService, type ApiClient, type E2eService } from './support/service.ts';
import { eventually, nsExec, pingOnce, requireE2e, sh } from './support/system.ts';
import { expectEcho, startEchoServer, tcpExchange } from './support/tcp-echo.ts';
import { createTopology, type Lan, type Topology } from './support/topology.ts';
import { addForgedAddress, requireWgQuick, startWireguardClient, type WireguardClient } from './support/wireguard-client.ts';

// Two tenants whose gateways, LANs and peers use the very same addresses; only their gatewayIPs differ.
const LAN_MACHINE = '192.168.1.10';
const PORT = 7002;

interface Tenant {
  name: string;
  client: ApiClient;
  credentials: typeof E2E_ADMIN;
  lan: Lan;
  gatewayId: string;
  gatewayPublicKey: string;
  peer: WireguardClient;
}

async function setUpTenant(svc: E2eService, topology: Topology, tenant: { name: string; contract: number; credentials: typeof E2E_ADMIN; datacenterId: string; gatewayIP: string; siteAddress: string }): Promise<Tenant> {
  const client = svc.as(tenant.credentials);
  await createDatacenter(svc, tenant.contract, tenant.datacenterId);
  const lan = await attachLan(svc, topology, { datacenterId: tenant.datacenterId, lanId: '1', addresses: [`${LAN_MACHINE}/24`], routes: [{ to: '10.9.0.0/24', via: '192.168.1.100' }] });
  topology.killAtCleanup((await startEchoServer(lan.ns, '0.0.0.0', PORT, tenant.name)).pid);
  const created = await client.request('POST', '/wireguardgateways', { properties: {
    name: tenant.name, gatewayIP: tenant.gatewayIP, interfaceIPv4CIDR: '10.9.0.1/24', listenPort: 51820, privateKey: generateWireguardKeyPair().privateKey,
    connections: [{ datacenterId: tenant.datacenterId, lanId: '1', ipv4CIDR: '192.168.1.100/24' }],
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const gatewayId = created.body.id as string;
  const site = await topology.addUplinkSite(tenant.siteAddress);
  const peer = await startWireguardClient(topology, svc, {
    ns: site, name: tenant.name.slice(-1), gatewayId, allowedIPs: ['10.9.0.2/32'], endpoint: { host: tenant.siteAddress, port: 51901 }, credentials: tenant.credentials,
  });
  return { name: tenant.name, client, credentials: tenant.credentials, lan, gatewayId, gatewayPublicKey: created.body.metadata.publicKey, peer };
}

/** Counts, on the LAN machine, the packets that arrive from `source`. */
async function countArrivalsFrom(lan: Lan, sources: string[]): Promise<() => Promise<Map<string, number>>> {
  await nsExec(lan.ns, 'nft', ['add table inet probe']);
  await nsExec(lan.ns, 'nft', ['add chain inet probe arrivals { type filter hook prerouting priority -300 ; }']);
  for (const source of sources) await nsExec(lan.ns, 'nft', [`add rule inet probe arrivals ip saddr ${source} counter comment "${source}"`]);
  return async () => {
    const rules = JSON.parse(await nsExec(lan.ns, 'nft', ['-j', 'list', 'chain', 'inet', 'probe', 'arrivals'])).nftables as Array<{ rule?: { comment?: string; expr: Array<{ counter?: { packets: number } }> } }>;
    return new Map(rules.flatMap((r) => (r.rule?.comment ? [[r.rule.comment, r.rule.expr.find((e) => e.counter)?.counter?.packets ?? 0] as [string, number]] : [])));
  };
}

test('two tenants with identical addresses each reach their own LAN only, and a peer reaches neither the host nor other peers', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t) || !requireWgQuick(t)) return;
  const topology = await createTopology({ gatewayIPs: ['192.0.2.1', '192.0.2.11', '192.0.2.50'] });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const service = svc;
    const second = await createTenant(service, 'tenant-b@vpngw.test');
    const a = await setUpTenant(service, topology, { name: 'tenant-a', contract: await contractOf(service), credentials: E2E_ADMIN, datacenterId: '0a5a1a0e-1111-4aaa-8aaa-00000000000a', gatewayIP: '192.0.2.1', siteAddress: '192.0.2.21' });
    const b = await setUpTenant(service, topology, { name: 'tenant-b', contract: second.contract, credentials: second.credentials, datacenterId: '0b5b1b0e-2222-4bbb-8bbb-00000000000b', gatewayIP: '192.0.2.11', siteAddress: '192.0.2.22' });
    const tenants = [a, b];

    await t.test('both gateways are AVAILABLE and each client reaches its own LAN machine, both at once', async () => {
      for (const tenant of tenants) {
        const gateway = await settledGateway(tenant.client, 'wireguardgateways', tenant.gatewayId);
        assert.equal(gateway.metadata.status, 'AVAILABLE', `${tenant.name}: ${JSON.stringify(gateway.metadata)}`);
      }
      await Promise.all(tenants.map((tenant) => eventually(`${tenant.name}'s ping`, () => pingOnce(tenant.peer.ns, '10.9.0.2', LAN_MACHINE), 30_000)));
      for (let round = 0; round < 3; round++) {
        await Promise.all(tenants.map((tenant) => expectEcho(tenant.peer.ns, LAN_MACHINE, PORT, '10.9.0.2', tenant.name, 10_000)));
      }
    });

    await t.test('another tenant\'s gateway is invisible: 404 on read, never in a list', async () => {
      assert.equal((await b.client.request('GET', `/wireguardgateways/${a.gatewayId}`)).status, 404);
      const listed = (await b.client.request('GET', '/wireguardgateways?depth=1')).body.items as Array<{ id: string }>;
      assert.deepEqual(listed.map((g) => g.id), [b.gatewayId]);
    });

    await t.test('a client forging an inner source outside its allowed IPs gets nothing through; its own source does', async () => {
      const arrivals = await countArrivalsFrom(a.lan, ['10.9.0.99', '192.168.1.77', '10.9.0.2']);
      await addForgedAddress(a.peer, '10.9.0.99/32');
      await addForgedAddress(a.peer, '192.168.1.77/32');
      for (const forged of ['10.9.0.99', '192.168.1.77']) {
        assert.equal(await pingOnce(a.peer.ns, forged, LAN_MACHINE), false, `a ping from ${forged}`);
        assert.equal(await tcpExchange(a.peer.ns, LAN_MACHINE, PORT, { localAddress: forged }), undefined, `TCP from ${forged}`);
      }
      assert.ok(await pingOnce(a.peer.ns, '10.9.0.2', LAN_MACHINE), 'the genuine source still works');
      const counted = await arrivals();
      assert.equal(counted.get('10.9.0.99'), 0, 'nothing from 10.9.0.99 reached the LAN');
      assert.equal(counted.get('192.168.1.77'), 0, 'nothing from 192.168.1.77 reached the LAN');
      assert.ok((counted.get('10.9.0.2') ?? 0) > 0, 'the genuine packets were counted (the probe works)');
    });

    await t.test('a peer reaches neither the host, nor the gateway itself, nor another peer, over TCP; only the LAN', async () => {
      // Stand-ins for the API and anything else listening on every address of the host, of the gateway and of another peer.
      await sh('ip', ['-n', topology.host, 'addr', 'add', '198.51.100.1/32', 'dev', 'lo']);
      await sh('ip', ['-n', topology.host, 'addr', 'add', '192.168.1.1/24', 'dev', a.lan.hostInterface]);
      topology.killAtCleanup((await startEchoServer(topology.host, '0.0.0.0', PORT, 'host')).pid);
      topology.killAtCleanup((await startEchoServer(gatewayNs(a.gatewayId), '0.0.0.0', PORT, 'gateway')).pid);
      const otherSite = await topology.addUplinkSite('192.0.2.23');
      const other = await startWireguardClient(topology, service, { ns: otherSite, name: 'c', gatewayId: a.gatewayId, allowedIPs: ['10.9.0.3/32'], endpoint: { host: '192.0.2.23', port: 51902 } });
      topology.killAtCleanup((await startEchoServer(otherSite, '0.0.0.0', PORT, 'other-peer')).pid);
      await expectEcho(otherSite, LAN_MACHINE, PORT, other.address, 'tenant-a');
      // The listeners answer where they are: only the gateway can keep the peer out.
      assert.match(await tcpExchange(topology.host, '198.51.100.1', PORT) ?? '', /^host from/);
      // Host addresses outside the client's tunnel networks: routed into the tunnel, as a hostile client would.
      const throughTunnel = ['198.51.100.1', '192.0.2.50', '192.0.2.11'];
      await nsExec(a.peer.ns, 'wg', ['set', a.peer.ifname, 'peer', a.gatewayPublicKey, 'allowed-ips', `10.9.0.0/24,192.168.1.0/24,${throughTunnel.map((ip) => `${ip}/32`).join(',')}`]);
      for (const ip of throughTunnel) await sh('ip', ['-n', a.peer.ns, 'route', 'add', `${ip}/32`, 'dev', a.peer.ifname]);
      const forbidden = [...throughTunnel, '192.168.1.1', '10.9.0.1', '192.168.1.100', '10.9.0.3'];
      const answers = await Promise.all(forbidden.map((ip) => tcpExchange(a.peer.ns, ip, PORT, { localAddress: '10.9.0.2', timeoutMs: 4_000 })));
      assert.deepEqual(Object.fromEntries(forbidden.map((ip, i) => [ip, answers[i]])), Object.fromEntries(forbidden.map((ip) => [ip, undefined])));
      await expectEcho(a.peer.ns, LAN_MACHINE, PORT, '10.9.0.2', 'tenant-a');
      assert.ok(await pingOnce(a.peer.ns, '10.9.0.2', '10.9.0.1'), 'ICMP to the gateway itself is allowed');
    });
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
