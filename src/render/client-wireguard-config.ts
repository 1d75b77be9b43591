import ipaddr from 'ipaddr.js';
import { safe, safePort, WIREGUARD_VALUE } from './safe-values.ts';

/** The gateway as the API returns it (properties plus metadata.publicKey). */
export interface ClientGatewayView {
  id: string;
  publicKey: string;
  gatewayIP: string;
  listenPort: number;
  interfaceIPv4CIDR?: string;
  interfaceIPv6CIDR?: string;
  connections: Array<{ ipv4CIDR?: string; ipv6CIDR?: string }>;
}

/** The peer as the API returns it. */
export interface ClientPeerView {
  id: string;
  allowedIPs: string[];
  endpoint?: { host: string; port: number };
}

export interface WireguardClientConfigInput {
  gateway: ClientGatewayView;
  peer: ClientPeerView;
  /** The remote side's own private key (the peer's public key is derived from it). */
  privateKey: string;
  /** Interface addresses; by default the peer's allowed IPs inside the gateway's interface networks. */
  addresses?: string[];
  /** What to route through the tunnel; by default the gateway's interface and LAN networks. */
  allowedIPs?: string[];
  /** Seconds; 0 leaves it out. Default 25, so a client behind NAT stays reachable. */
  persistentKeepalive?: number;
  /** DNS servers for wg-quick's `DNS =` line: IP addresses only. */
  dns?: string[];
}

function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  try {
    return ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
}

/** `10.7.0.1/24` → `10.7.0.0/24`. */
function networkOf(cidr: string): string {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`refusing to render an invalid network ${safe('network', cidr, WIREGUARD_VALUE)}`);
  const [address, bits] = parsed;
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${network.toString()}/${bits}`;
}

/** The networks reachable through the gateway: its tunnel interface networks and its LANs. */
export function gatewayNetworks(gateway: ClientGatewayView): string[] {
  const cidrs = [gateway.interfaceIPv4CIDR, gateway.interfaceIPv6CIDR, ...gateway.connections.flatMap((c) => [c.ipv4CIDR, c.ipv6CIDR])];
  return [...new Set(cidrs.filter((c): c is string => Boolean(c)).map(networkOf))];
}

const isHostRoute = (cidr: string) => /\/(32|128)$/.test(cidr);

/** The peer's allowed IPs that lie in the gateway's interface networks; else its single-host entries. */
export function peerAddresses(gateway: ClientGatewayView, peer: ClientPeerView): string[] {
  const interfaces = [gateway.interfaceIPv4CIDR, gateway.interfaceIPv6CIDR].filter((c): c is string => Boolean(c)).map((c) => parseCidr(c)).filter((c) => c !== undefined);
  const inside = peer.allowedIPs.filter((cidr) => {
    const parsed = parseCidr(cidr);
    return parsed !== undefined && interfaces.some(([net, bits]) => net.kind() === parsed[0].kind() && parsed[1] >= bits && parsed[0].match(net, bits));
  });
  return inside.length > 0 ? inside : peer.allowedIPs.filter(isHostRoute);
}

/** An IPv4 or IPv6 address and nothing else: a DNS line takes no names, networks or ports. */
function dnsServer(text: string): string {
  if (!ipaddr.isValid(text) || text.includes('/')) throw new Error(`refusing to render ${safe('DNS server', text, WIREGUARD_VALUE)}: not an IP address`);
  return ipaddr.parse(text).toString();
}

function endpointText(host: string, port: number): string {
  const p = safePort('gateway listen port', port);
  return host.includes(':') ? `[${safe('gateway IP', host, WIREGUARD_VALUE)}]:${p}` : `${safe('gateway IP', host, WIREGUARD_VALUE)}:${p}`;
}

/**
 * A complete wg-quick configuration for the remote side of a peer: its key and addresses, and
 * the gateway as its one peer. A peer with a fixed endpoint is dialled by the gateway, so it
 * listens on that port.
 */
export function renderWireguardClientConfig(input: WireguardClientConfigInput): string {
  const { gateway, peer } = input;
  const addresses = input.addresses ?? peerAddresses(gateway, peer);
  if (addresses.length === 0) throw new Error(`peer ${safe('peer id', peer.id, WIREGUARD_VALUE)} has no address of its own among its allowed IPs; give one explicitly`);
  const allowed = input.allowedIPs ?? gatewayNetworks(gateway);
  const keepalive = input.persistentKeepalive ?? 25;
  const iface = [
    '[Interface]',
    `PrivateKey = ${safe('private key', input.privateKey, WIREGUARD_VALUE)}`,
    `Address = ${addresses.map((a) => safe('address', a, WIREGUARD_VALUE)).join(', ')}`,
    ...(input.dns && input.dns.length > 0 ? [`DNS = ${input.dns.map(dnsServer).join(', ')}`] : []),
    ...(peer.endpoint ? [`ListenPort = ${safePort('peer endpoint port', peer.endpoint.port)}`] : []),
  ];
  const remote = [
    '[Peer]',
    `PublicKey = ${safe('gateway public key', gateway.publicKey, WIREGUARD_VALUE)}`,
    `Endpoint = ${endpointText(gateway.gatewayIP, gateway.listenPort)}`,
    `AllowedIPs = ${allowed.map((a) => safe('allowed IP', a, WIREGUARD_VALUE)).join(', ')}`,
    ...(keepalive > 0 ? [`PersistentKeepalive = ${Math.floor(keepalive)}`] : []),
  ];
  const header = [`# WireGuard gateway ${safe('gateway id', gateway.id, WIREGUARD_VALUE)}, peer ${safe('peer id', peer.id, WIREGUARD_VALUE)}`, '# Bring it up with: wg-quick up <this file>'];
  return `${[header, iface, remote].map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
