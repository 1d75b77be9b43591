import { canonicalAddress, canonicalInterfaceAddress, canonicalNetwork, prefixContains } from './ip-prefix.ts';
import type { DesiredWireguardGateway } from '../../domain/desired-state.ts';

/** Differences between wanted and present items: what to add and what to delete. */
export interface SetChange {
  add: string[];
  remove: string[];
}

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
}

/** The global-scope addresses (`10.7.0.1/24`) in `ip -j addr show` output; link-local ones belong to the kernel. */
export function parseIpAddrJson(text: string): string[] {
  const links = JSON.parse(text || '[]') as Array<{ addr_info?: IpAddrInfo[] }>;
  return links.flatMap((link) => link.addr_info ?? [])
    .filter((a) => a.local !== undefined && a.prefixlen !== undefined && a.scope !== 'link' && a.scope !== 'host')
    .map((a) => canonicalInterfaceAddress(`${a.local}/${a.prefixlen}`));
}

/** Every address (without prefix) in `ip -j addr show` output, including loopback ones. */
export function allAddresses(text: string): string[] {
  const links = JSON.parse(text || '[]') as Array<{ addr_info?: IpAddrInfo[] }>;
  return links.flatMap((link) => link.addr_info ?? []).flatMap((a) => (a.local ? [canonicalAddress(a.local)] : []));
}

/** Route destinations in `ip -j route show` output; a bare address means a host route. */
export function parseIpRouteJson(text: string): string[] {
  const routes = JSON.parse(text || '[]') as Array<{ dst?: string }>;
  return routes.flatMap((r) => (r.dst && r.dst !== 'default' ? [canonicalNetwork(r.dst)] : []));
}

export function diffSets(wanted: string[], present: string[]): SetChange {
  const have = new Set(present);
  const want = new Set(wanted);
  return { add: [...want].filter((x) => !have.has(x)).sort(), remove: [...have].filter((x) => !want.has(x)).sort() };
}

export function desiredInterfaceAddresses(gw: DesiredWireguardGateway): string[] {
  return [gw.interfaceIPv4CIDR, gw.interfaceIPv6CIDR].flatMap((c) => (c ? [canonicalInterfaceAddress(c)] : []));
}

/**
 * Routes into the interface for the peers' allowed IPs. Left out: default routes (they would
 * capture the namespace's own traffic) and any prefix holding the gateway's or an endpoint's
 * address (the encrypted packets must not be routed into the tunnel they carry).
 */
export function desiredRoutes(gw: DesiredWireguardGateway): string[] {
  const connected = desiredInterfaceAddresses(gw).map(canonicalNetwork);
  const underlay = [gw.gatewayIP, ...gw.peers.flatMap((p) => (p.endpoint ? [p.endpoint.host] : []))];
  const prefixes = new Set(gw.peers.flatMap((p) => p.allowedIPs.map(canonicalNetwork)));
  return [...prefixes]
    .filter((prefix) => !prefix.endsWith('/0') && !connected.some((net) => coveredBy(prefix, net)))
    .filter((prefix) => !underlay.some((host) => safeContains(prefix, host)))
    .sort();
}

/** True when the interface's own connected route already reaches every address of `prefix`. */
function coveredBy(prefix: string, network: string): boolean {
  const [address = '', length = '0'] = prefix.split('/');
  return Number(length) >= Number(network.split('/')[1]) && safeContains(network, address);
}

function safeContains(prefix: string, host: string): boolean {
  try {
    return prefixContains(prefix, host);
  } catch {
    return false; // a DNS name cannot be checked here
  }
}
