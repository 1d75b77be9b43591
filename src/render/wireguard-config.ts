import type { DesiredWireguardGateway, DesiredWireguardPeer } from '../domain/desired-state.ts';

// Keys, CIDRs, hosts and UUIDs never need more than this; anything else (a newline, `=` in
// a host, `#`) would be a bug upstream, so refuse rather than emit a directive.
const SAFE_VALUE = /^[A-Za-z0-9.:/+=_-]+$/;

function safe(field: string, value: string): string {
  // The value itself is never echoed: it may be a private key.
  if (!SAFE_VALUE.test(value)) throw new Error(`refusing to render an unsafe ${field}`);
  return value;
}

function safePort(field: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`refusing to render an invalid ${field}`);
  return String(port);
}

function endpointText(endpoint: { host: string; port: number }): string {
  const host = safe('endpoint host', endpoint.host);
  const port = safePort('endpoint port', endpoint.port);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function peerLines(peer: DesiredWireguardPeer): string[] {
  const allowedIPs = [...new Set(peer.allowedIPs)].map((cidr) => safe('allowed IP', cidr));
  const lines = [`# peer ${safe('peer id', peer.id)}`, '[Peer]', `PublicKey = ${safe('public key', peer.publicKey)}`];
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
    ['[Interface]', `PrivateKey = ${safe('private key', gw.privateKey)}`, `ListenPort = ${safePort('listen port', gw.listenPort)}`],
    ...[...gw.peers].sort(byPublicKey).map(peerLines),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
