/**
 * The interface name of a WireGuard gateway: `vg` + 12 hex digits of its id. Unique on the host
 * (wireguard-go's sockets in /var/run/wireguard are shared by all namespaces) and within Linux's 15 characters.
 */
export function wireguardInterfaceName(gatewayId: string): string {
  const hex = gatewayId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error('gateway id is not a UUID');
  return `vg${hex.slice(0, 12)}`;
}

/** Interfaces this driver could have made; anything else on the host is never touched. */
export const WIREGUARD_INTERFACE_PATTERN = /^vg[0-9a-f]{12}$/;

/** The swanctl connection name of a tunnel, as the renderer writes it. */
export function ipsecConnectionName(tunnelId: string): string {
  return `t-${tunnelId}`;
}
