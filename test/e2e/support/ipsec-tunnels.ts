import { join } from 'node:path';
import { espProposal, ikeProposal } from '../../../src/render/ipsec-proposals.ts';
import type { Security } from '../../../src/schemas/ipsec.ts';
import assert from 'node:assert/strict';
import { startRemoteCharon, type RemoteTunnel } from './remote-side.ts';
import { CONNECTIONS, settledGateway, type E2eService } from './service.ts';
import { pingOnce, sh } from './system.ts';
import type { Topology } from './topology.ts';

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
 * Both sites of the tunnels: their networks, the remote site's charon, and an IPSec gateway on
 * 192.0.2.1 with the tunnels, created through the API and settled AVAILABLE.
 */
export async function createIpsecSites(topology: Topology, service: E2eService, name: string, tunnels: E2eTunnel[]) {
  await addTunnelNetworks(topology, tunnels);
  await startRemoteCharon(topology, service.dataDir, tunnels.map(remoteTunnel));
  const created = await service.request('POST', '/ipsecgateways', { properties: { name, gatewayIP: '192.0.2.1', connections: CONNECTIONS } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const gatewayId = created.body.id as string;
  const tunnelIds = new Map<string, string>();
  for (const tunnel of tunnels) {
    const response = await service.request('POST', `/ipsecgateways/${gatewayId}/tunnels`, { properties: tunnelProperties(tunnel) });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    tunnelIds.set(tunnel.name, response.body.id);
  }
  assert.equal((await settledGateway(service, 'ipsecgateways', gatewayId)).metadata.status, 'AVAILABLE');
  return { gatewayId, tunnelIds };
}

/** One address in each tunnel's networks on both sides, so a ping can cross it. */
async function addTunnelNetworks(topology: Topology, tunnels: E2eTunnel[]) {
  for (const t of tunnels) {
    await sh('ip', ['-n', topology.gw, 'addr', 'add', `10.1.${t.index}.1/24`, 'dev', 'lo']);
    await sh('ip', ['-n', topology.remote, 'addr', 'add', `10.2.${t.index}.1/24`, 'dev', 'lo']);
  }
}

/** A ping from the remote site's network to the gateway's network of that tunnel. */
export const pingThrough = (topology: Topology, t: E2eTunnel) => pingOnce(topology.remote, `10.2.${t.index}.1`, `10.1.${t.index}.1`);

/** `swanctl --list-sas --raw` of the gateway's own charon. */
export function gatewaySasRaw(svc: E2eService): Promise<string> {
  const dir = join(svc.dataDir, 'linux', 'ipsec');
  return sh('swanctl', ['--list-sas', '--raw', '--uri', `unix://${join(dir, 'charon.vici')}`], { env: { ...process.env, STRONGSWAN_CONF: join(dir, 'strongswan.conf') } });
}
