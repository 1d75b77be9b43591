import type { DesiredConnection, DesiredGateway } from '../domain/desired-state.ts';
import { renderGatewayFirewall, type ForwardPath, type RenderedFirewall } from '../render/gateway-firewall.ts';
import { canonicalInterfaceAddress, canonicalNetwork, prefixContains } from './linux/ip-prefix.ts';
import { gatewayNamespaceName, lanLegName, uplinkLegName, wireguardInterfaceName } from './linux/names.ts';
import type { IpsecBackend } from './linux/strongswan-conf.ts';

/** The TUN device kernel-libipsec creates in its charon's namespace (one charon per gateway). */
export const LIBIPSEC_DEVICE = 'ipsec0';

/** A gateway's leg on one LAN: a macvlan of the host interface bound to that LAN, with its addresses there. */
export interface LanLeg {
  name: string;
  datacenterId: string;
  lanId: string;
  hostInterface?: string;
  /** Interface addresses (`192.168.1.100/24`), canonically spelled. */
  addresses: string[];
}

/** Everything one gateway's namespace holds besides its tunnels' own configuration. */
export interface GatewayLayout {
  namespace: string;
  uplinkLeg: string;
  lanLegs: LanLeg[];
  firewall: RenderedFirewall;
}

/** One leg per LAN, carrying the addresses of every connection to that LAN. */
export function lanLegs(gatewayId: string, connections: DesiredConnection[]): LanLeg[] {
  const legs = new Map<string, LanLeg>();
  for (const c of connections) {
    const name = lanLegName(gatewayId, c.datacenterId, c.lanId);
    const leg = legs.get(name) ?? { name, datacenterId: c.datacenterId, lanId: c.lanId, ...(c.hostInterface ? { hostInterface: c.hostInterface } : {}), addresses: [] };
    for (const cidr of [c.ipv4CIDR, c.ipv6CIDR]) if (cidr) leg.addresses.push(canonicalInterfaceAddress(cidr));
    legs.set(name, leg);
  }
  return [...legs.values()].map((leg) => ({ ...leg, addresses: [...new Set(leg.addresses)].sort() })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

function forwardPaths(gw: DesiredGateway, legs: LanLeg[], uplink: string, backend: IpsecBackend): ForwardPath[] {
  if (gw.kind === 'wireguard') {
    const tunnel = { interfaceName: wireguardInterfaceName(gw.id) };
    const remote = gw.peers.flatMap((p) => p.allowedIPs);
    return legs.map((leg) => ({ tunnel, lanLegs: [leg.name], remote, local: leg.addresses.map(canonicalNetwork) }));
  }
  const tunnel = backend === 'libipsec' ? { interfaceName: LIBIPSEC_DEVICE } : { interfaceName: uplink, secpath: true };
  const names = legs.map((leg) => leg.name);
  return [...gw.tunnels].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => ({ tunnel, lanLegs: names, remote: t.peerNetworkCIDRs, local: t.cloudNetworkCIDRs }));
}

/** The namespace, legs and firewall a gateway's resources declare: a pure function of its desired state. */
export function gatewayLayout(gw: DesiredGateway, backend: IpsecBackend): GatewayLayout {
  const uplinkLeg = uplinkLegName(gw.id);
  const legs = lanLegs(gw.id, gw.connections);
  const firewall = renderGatewayFirewall({
    uplink: uplinkLeg,
    ...(gw.kind === 'wireguard' ? { wireguardPort: gw.listenPort } : { ike: true }),
    paths: forwardPaths(gw, legs, uplinkLeg, backend),
  });
  return { namespace: gatewayNamespaceName(gw.id), uplinkLeg, lanLegs: legs, firewall };
}

/**
 * kernel-libipsec routes a CHILD_SA only from a local address inside its local traffic selector: each
 * tunnel's cloud network must hold one of the gateway's LAN addresses. The first that does not, if any.
 */
export function cloudNetworkWithoutLanAddress(gw: DesiredGateway, legs: LanLeg[]): { tunnelId: string; cidr: string } | undefined {
  if (gw.kind !== 'ipsec') return undefined;
  const addresses = legs.flatMap((leg) => leg.addresses.map((a) => a.split('/')[0] ?? ''));
  for (const tunnel of gw.tunnels) {
    const cidr = tunnel.cloudNetworkCIDRs.find((c) => !addresses.some((a) => prefixContains(c, a)));
    if (cidr) return { tunnelId: tunnel.id, cidr };
  }
  return undefined;
}
