import { canonicalAddress, canonicalNetwork, isIpLiteral } from './ip-prefix.ts';
import type { DesiredWireguardGateway, DesiredWireguardPeer } from '../../domain/desired-state.ts';

/** One peer as `wg show <if> dump` reports it. */
export interface ObservedPeer {
  publicKey: string;
  endpoint: string | null;
  allowedIPs: string[];
  /** Unix seconds of the latest handshake; 0 when there was none. */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
}

/** An interface as `wg show <if> dump` reports it; the private key is deliberately not kept. */
export interface ObservedWireguard {
  publicKey: string | null;
  listenPort: number;
  peers: ObservedPeer[];
}

/** The changes that bring an interface to the desired configuration, touching nothing else. */
export interface WireguardPlan {
  setPrivateKey: boolean;
  listenPort?: number;
  removePeers: string[];
  setPeers: Array<{ publicKey: string; allowedIPs: string[]; endpoint?: string }>;
}

const none = (value: string | undefined) => (value === undefined || value === '(none)' ? null : value);

/** Parses `wg show <if> dump`: a line for the interface, then one tab-separated line per peer. */
export function parseWgDump(text: string): ObservedWireguard {
  const [head = '', ...rest] = text.split('\n').filter((line) => line.trim() !== '');
  const [, publicKey, port] = head.split('\t');
  const peers = rest.map((line): ObservedPeer => {
    const [key = '', , endpoint, allowed, handshake, rx, tx] = line.split('\t');
    const allowedList = none(allowed);
    return {
      publicKey: key,
      endpoint: none(endpoint),
      allowedIPs: allowedList ? allowedList.split(',').map((c) => c.trim()).filter(Boolean) : [],
      latestHandshake: Number(handshake ?? 0) || 0,
      rxBytes: Number(rx ?? 0) || 0,
      txBytes: Number(tx ?? 0) || 0,
    };
  });
  return { publicKey: none(publicKey), listenPort: Number(port ?? 0) || 0, peers };
}

/** `host:port` as wg(8) prints it, or undefined for a DNS name (which wg resolves, so it cannot be compared). */
export function endpointLiteral(endpoint: { host: string; port: number }): string | undefined {
  if (!isIpLiteral(endpoint.host)) return undefined;
  const host = canonicalAddress(endpoint.host);
  return host.includes(':') ? `[${host}]:${endpoint.port}` : `${host}:${endpoint.port}`;
}

function endpointText(endpoint: { host: string; port: number }): string {
  return endpointLiteral(endpoint) ?? `${endpoint.host}:${endpoint.port}`;
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((item) => left.has(item));
}

function peerChange(desired: DesiredWireguardPeer, observed: ObservedPeer | undefined): WireguardPlan['setPeers'][number] | undefined {
  const allowedIPs = [...new Set(desired.allowedIPs.map(canonicalNetwork))].sort();
  const allowedDiffers = !observed || !sameSet(allowedIPs, observed.allowedIPs.map(canonicalNetwork));
  // A peer without a configured endpoint roams: what wg learned is kept, never cleared.
  const wanted = desired.endpoint ? endpointLiteral(desired.endpoint) : undefined;
  const endpointDiffers = desired.endpoint !== undefined && (!observed || (wanted !== undefined && wanted !== observed.endpoint));
  if (!allowedDiffers && !endpointDiffers) return undefined;
  return { publicKey: desired.publicKey, allowedIPs, ...(endpointDiffers && desired.endpoint ? { endpoint: endpointText(desired.endpoint) } : {}) };
}

/** The minimal changes from observed to desired: only differing peers are set, only unwanted ones removed. */
export function planWireguard(desired: DesiredWireguardGateway, desiredPublicKey: string, observed: ObservedWireguard): WireguardPlan {
  const observedByKey = new Map(observed.peers.map((p) => [p.publicKey, p]));
  const wantedKeys = new Set(desired.peers.map((p) => p.publicKey));
  return {
    setPrivateKey: observed.publicKey !== desiredPublicKey,
    ...(observed.listenPort !== desired.listenPort ? { listenPort: desired.listenPort } : {}),
    removePeers: observed.peers.map((p) => p.publicKey).filter((key) => !wantedKeys.has(key)).sort(),
    setPeers: desired.peers.flatMap((p) => peerChange(p, observedByKey.get(p.publicKey)) ?? []),
  };
}

export function isEmptyPlan(plan: WireguardPlan): boolean {
  return !plan.setPrivateKey && plan.listenPort === undefined && plan.removePeers.length === 0 && plan.setPeers.length === 0;
}

/**
 * One `wg set` argument vector for the whole plan. The private key is read from a file
 * (mode 0600), so it never appears on a command line.
 */
export function wgSetArgs(ifname: string, plan: WireguardPlan, privateKeyFile: string): string[] {
  const args = ['set', ifname];
  if (plan.listenPort !== undefined) args.push('listen-port', String(plan.listenPort));
  if (plan.setPrivateKey) args.push('private-key', privateKeyFile);
  for (const key of plan.removePeers) args.push('peer', key, 'remove');
  for (const peer of plan.setPeers) {
    args.push('peer', peer.publicKey, 'allowed-ips', peer.allowedIPs.join(','));
    if (peer.endpoint) args.push('endpoint', peer.endpoint);
  }
  return args;
}
