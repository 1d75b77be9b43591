import ipaddr from 'ipaddr.js';
import { renderedConfigHash } from './config-hash.ts';
import { safe, safePort } from './safe-values.ts';

/** The name of the nftables table each gateway namespace holds (family inet). */
export const FIREWALL_TABLE = 'vpngw';

const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** Where decrypted traffic enters and leaves: a tunnel interface, or the uplink with an IPsec secpath (kernel ESP). */
export interface TunnelSide {
  interfaceName: string;
  /** Kernel ESP: decrypted packets arrive on the uplink carrying a secpath instead of on a tunnel device. */
  secpath?: boolean;
}

/** Traffic the gateway forwards: between a tunnel's remote networks and the local networks behind some LAN legs. */
export interface ForwardPath {
  tunnel: TunnelSide;
  lanLegs: string[];
  remote: string[];
  local: string[];
}

export interface FirewallInput {
  uplink: string;
  /** WireGuard: the UDP port the gateway listens on. */
  wireguardPort?: number;
  /** IPSec: IKE (UDP 500/4500) and ESP reach the gateway's charon. */
  ike?: boolean;
  paths: ForwardPath[];
}

/** A rendered ruleset and what identifies it in the kernel: the marker's hash and its number of rules. */
export interface RenderedFirewall {
  text: string;
  hash: string;
  ruleCount: number;
}

const ifname = (name: string) => `"${safe('interface name', name, IFNAME)}"`;

/** The CIDRs of one family as a disjoint set (nested prefixes dropped): nft refuses overlapping intervals. */
export function disjointNetworks(cidrs: string[], family: 'ipv4' | 'ipv6'): string[] {
  const parsed = cidrs
    .map((c) => ipaddr.parseCIDR(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`))
    .filter(([address]) => address.kind() === family)
    .sort((a, b) => a[1] - b[1]);
  const kept: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const [address, length] of parsed) {
    if (kept.some(([net, len]) => address.match(net, len))) continue;
    kept.push([family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${length}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${length}`), length]);
  }
  return kept.map(([net, len]) => `${family === 'ipv6' ? (net as ipaddr.IPv6).toRFC5952String() : net.toString()}/${len}`).sort();
}

const inline = (cidrs: string[]) => `{ ${cidrs.join(', ')} }`;

function pathRules(path: ForwardPath): string[] {
  if (path.lanLegs.length === 0) return [];
  const legs = `{ ${path.lanLegs.map(ifname).join(', ')} }`;
  const tunnelIn = `iifname ${ifname(path.tunnel.interfaceName)}${path.tunnel.secpath ? ' meta secpath exists' : ''}`;
  const tunnelOut = `oifname ${ifname(path.tunnel.interfaceName)}`;
  return (['ipv4', 'ipv6'] as const).flatMap((family) => {
    const remote = disjointNetworks(path.remote, family);
    const local = disjointNetworks(path.local, family);
    if (remote.length === 0 || local.length === 0) return [];
    const ip = family === 'ipv4' ? 'ip' : 'ip6';
    return [
      `${tunnelIn} oifname ${legs} ${ip} saddr ${inline(remote)} ${ip} daddr ${inline(local)} accept`,
      `iifname ${legs} ${tunnelOut} ${ip} saddr ${inline(local)} ${ip} daddr ${inline(remote)} accept`,
    ];
  });
}

function uplinkRules(input: FirewallInput): string[] {
  const uplink = `iifname ${ifname(input.uplink)}`;
  return [
    ...(input.wireguardPort !== undefined ? [`${uplink} udp dport ${safePort('listen port', input.wireguardPort)} accept`] : []),
    ...(input.ike ? [`${uplink} udp dport { 500, 4500 } accept`, `${uplink} meta l4proto esp accept`] : []),
  ];
}

function chain(name: string, policy: 'accept' | 'drop', rules: string[]): string[] {
  return [`  chain ${name} {`, `    type filter hook ${name} priority filter; policy ${policy};`, ...rules.map((r) => `    ${r}`), '  }'];
}

/**
 * The nftables ruleset of one gateway namespace: the gateway answers only its own protocols on the
 * uplink (and ICMP), and forwards only between each tunnel's declared remote networks and the
 * local networks of its LAN legs. Everything else (peer to peer, tunnel to uplink) is dropped.
 * The text deletes and recreates the table in one transaction, so `nft -f` applies it atomically.
 * Its first rule carries a hash of the whole, by which a later pass recognises it.
 */
export function renderGatewayFirewall(input: FirewallInput): RenderedFirewall {
  const input_ = ['ct state established,related accept', 'meta l4proto { icmp, ipv6-icmp } accept', ...uplinkRules(input)];
  const forward = input.paths.flatMap(pathRules);
  const body = [...chain('input', 'drop', input_), ...chain('forward', 'drop', forward), ...chain('output', 'accept', [])];
  const hash = renderedConfigHash(body.join('\n')).slice(0, 16);
  const marked = body.map((line, i) => (i === 1 ? `${line}\n    iif "lo" accept comment "vpngw ${hash}"` : line));
  const text = [`table inet ${FIREWALL_TABLE} {}`, `delete table inet ${FIREWALL_TABLE}`, `table inet ${FIREWALL_TABLE} {`, ...marked, '}', ''].join('\n');
  return { text, hash, ruleCount: input_.length + forward.length + 1 };
}
