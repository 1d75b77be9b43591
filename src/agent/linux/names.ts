import { createHash } from 'node:crypto';

/**
 * The interface name of a WireGuard gateway: `vg` + 13 hex digits of the SHA-256 of its id. Unique on
 * the host (wireguard-go's sockets in /var/run/wireguard are shared by all namespaces) and within
 * Linux's 15 characters. Hashed, not a prefix of the id: clients choose ids with PUT, and two ids
 * sharing a prefix must not share an interface.
 */
export function wireguardInterfaceName(gatewayId: string): string {
  const hex = gatewayId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error('gateway id is not a UUID');
  return `vg${createHash('sha256').update(hex).digest('hex').slice(0, 13)}`;
}

/** The network namespace that is one gateway's own small router: its tunnels, LAN legs and firewall. */
export function gatewayNamespaceName(gatewayId: string): string {
  return `vgw-${gatewayId.toLowerCase()}`;
}

/** 13 hex digits of the SHA-256 of the parts: short, stable interface names unique on the host. */
function hashedName(prefix: string, ...parts: string[]): string {
  return `${prefix}${createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 13)}`;
}

/** The gateway's leg on the uplink (a macvlan holding its gatewayIP). */
export function uplinkLegName(gatewayId: string): string {
  return hashedName('vu', gatewayId.toLowerCase());
}

/** The gateway's leg on one LAN (a macvlan of the host interface bound to that LAN). */
export function lanLegName(gatewayId: string, datacenterId: string, lanId: string): string {
  return hashedName('vl', gatewayId.toLowerCase(), datacenterId.toLowerCase(), lanId);
}

/** A stable, locally administered MAC for a leg: recreated after drift, it keeps the neighbours' caches valid. */
export function legMacAddress(legName: string): string {
  const bytes = createHash('sha256').update(legName).digest().subarray(0, 5);
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
