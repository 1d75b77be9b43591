import { join } from 'node:path';
import { espProposal, ikeProposal } from '../../../src/render/ipsec-proposals.ts';
import type { Security } from '../../../src/schemas/ipsec.ts';
import assert from 'node:assert/strict';
import { bindLan, contractOf, createDatacenter } from './operator.ts';
import { startRemoteCharon, type RemoteTunnel } from './remote-side.ts';
import { settledGateway, type E2eService } from './service.ts';
import { pingOnce, sh } from './system.ts';
import type { Lan, Topology } from './topology.ts';

/** The datacenter and LAN of the gateway in the IPSec tests. */
export const IPSEC_LAN = { datacenterId: '5a029f4a-72e5-11ec-90d6-0242ac120003', lanId: '2' };

/**
 * The gateway's connections: on its one LAN, an address 10.1.i.254/24 in each tunnel's cloud network
 * 10.1.i.0/24 (kernel-libipsec routes a CHILD_SA only from a local address inside its local traffic
 * selector). The LAN machine holds 10.1.i.1 in each and routes 10.2.i.0/24 back through 10.1.i.254.
 */
export const ipsecConnections = (tunnels: Array<{ index: number }>) => tunnels.map((t) => ({ ...IPSEC_LAN, ipv4CIDR: `10.1.${t.index}.254/24` }));

/** A tunnel of an e2e test: its remote site's address, its networks' index (10.1.i.0/24 ↔ 10.2.i.0/24) and its algorithms. */
export interface E2eTunnel {
  name: string;
  remote: string;
  index: number;
  security: Security;
}

const psk = (t: E2eTunnel) => `psk-for-${t.name}-tunnel`;

/** The API body's properties for a tunnel, with one lifetime for IKE and ESP. */
export function tunnelProperties(t: E2eTunnel, lifetime = 3600) {
  return {
    name: t.name, remoteHost: t.remote, auth: { method: 'PSK', psk: { key: psk(t) } },
    ike: { ...t.security, lifetime }, esp: { ...t.security, lifetime },
    cloudNetworkCIDRs: [`10.1.${t.index}.0/24`], peerNetworkCIDRs: [`10.2.${t.index}.0/24`],
  };
}

/** The remote site's side of the same tunnel. */
function remoteTunnel(t: E2eTunnel): RemoteTunnel {
  return {
    name: t.name, localAddress: t.remote, localTs: `10.2.${t.index}.0/24`, remoteTs: `10.1.${t.index}.0/24`,
    psk: psk(t), ikeProposal: ikeProposal(t.security), espProposal: espProposal(t.security),
  };
}

/** The remote site's addresses besides 192.0.2.2, which createTopology always makes. */
export const extraRemoteAddresses = (tunnels: E2eTunnel[]) => tunnels.map((t) => t.remote).filter((address) => address !== '192.0.2.2');

/**
 * Both sites of the tunnels: the gateway's LAN (its datacenter made and the LAN bound by the
 * operator), the remote site's networks and charon, and an IPSec gateway on 192.0.2.1 with the
 * tunnels, created through the API and settled AVAILABLE.
 */
export async function createIpsecSites(topology: Topology, service: E2eService, name: string, tunnels: E2eTunnel[]) {
  const lan = await addIpsecLan(topology, service, tunnels);
  for (const t of tunnels) await sh('ip', ['-n', topology.remote, 'addr', 'add', `10.2.${t.index}.1/24`, 'dev', 'lo']);
  await startRemoteCharon(topology, service.dataDir, tunnels.map(remoteTunnel));
  const created = await service.request('POST', '/ipsecgateways', { properties: { name, gatewayIP: '192.0.2.1', connections: ipsecConnections(tunnels) } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const gatewayId = created.body.id as string;
  const tunnelIds = new Map<string, string>();
  for (const tunnel of tunnels) {
    const response = await service.request('POST', `/ipsecgateways/${gatewayId}/tunnels`, { properties: tunnelProperties(tunnel) });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    tunnelIds.set(tunnel.name, response.body.id);
  }
  const settled = await settledGateway(service, 'ipsecgateways', gatewayId);
  assert.equal(settled.metadata.status, 'AVAILABLE', JSON.stringify(settled.metadata));
  return { gatewayId, tunnelIds, lan };
}

/** The gateway's LAN with a machine holding each tunnel's cloud address, bound for the first contract's datacenter. */
async function addIpsecLan(topology: Topology, service: E2eService, tunnels: E2eTunnel[]): Promise<Lan> {
  const lan = await topology.addLan({ addresses: tunnels.map((t) => `10.1.${t.index}.1/24`), routes: tunnels.map((t) => ({ to: `10.2.${t.index}.0/24`, via: `10.1.${t.index}.254` })) });
  await createDatacenter(service, await contractOf(service), IPSEC_LAN.datacenterId);
  await bindLan(service, IPSEC_LAN.datacenterId, IPSEC_LAN.lanId, lan.hostInterface);
  return lan;
}

/** A ping from the remote site's network to the LAN machine's address in that tunnel's cloud network. */
export const pingThrough = (topology: Topology, t: E2eTunnel) => pingOnce(topology.remote, `10.2.${t.index}.1`, `10.1.${t.index}.1`);

/** `swanctl --list-sas --raw` of the gateway's own charon (one per gateway, its files in linux/ipsec/<id>/). */
export function gatewaySasRaw(svc: E2eService, gatewayId: string): Promise<string> {
  const dir = join(svc.dataDir, 'linux', 'ipsec', gatewayId);
  return sh('swanctl', ['--list-sas', '--raw', '--uri', `unix://${join(dir, 'charon.vici')}`], { env: { ...process.env, STRONGSWAN_CONF: join(dir, 'strongswan.conf') } });
}
