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

/** The swanctl connection name of a tunnel, as the renderer writes it. */
export function ipsecConnectionName(tunnelId: string): string {
  return `t-${tunnelId}`;
}
