import type { DesiredWireguardGateway, DesiredWireguardPeer } from '../domain/desired-state.ts';
import { safe, safePort, WIREGUARD_VALUE } from './safe-values.ts';

function endpointText(endpoint: { host: string; port: number }): string {
  const host = safe('endpoint host', endpoint.host, WIREGUARD_VALUE);
  const port = safePort('endpoint port', endpoint.port);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function peerLines(peer: DesiredWireguardPeer): string[] {
  const allowedIPs = [...new Set(peer.allowedIPs)].map((cidr) => safe('allowed IP', cidr, WIREGUARD_VALUE));
  const lines = [`# peer ${safe('peer id', peer.id, WIREGUARD_VALUE)}`, '[Peer]', `PublicKey = ${safe('public key', peer.publicKey, WIREGUARD_VALUE)}`];
  // An absent AllowedIPs line still clears the peer's list under setconf/syncconf.
  if (allowedIPs.length > 0) lines.push(`AllowedIPs = ${allowedIPs.join(', ')}`);
  if (peer.endpoint) lines.push(`Endpoint = ${endpointText(peer.endpoint)}`);
  return lines;
}

function byPublicKey(a: DesiredWireguardPeer, b: DesiredWireguardPeer): number {
  // Code-unit order, not localeCompare: the output must not depend on the host's locale.
  if (a.publicKey === b.publicKey) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return a.publicKey < b.publicKey ? -1 : 1;
}

/** Renders a gateway as `wg setconf`/`wg syncconf` text (not wg-quick: no Address or DNS). */
export function renderWireguardConfig(gw: DesiredWireguardGateway): string {
  const sections = [
    ['[Interface]', `PrivateKey = ${safe('private key', gw.privateKey, WIREGUARD_VALUE)}`, `ListenPort = ${safePort('listen port', gw.listenPort)}`],
    ...[...gw.peers].sort(byPublicKey).map(peerLines),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
