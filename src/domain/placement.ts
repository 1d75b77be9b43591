import ipaddr from 'ipaddr.js';
import { lanKey } from './datacenters.ts';

/**
 * Placement: which gateway host runs a gateway. Pure; the store runs it in the transaction of every
 * change that can move a gateway (a gateway write, a host's inventory, drain or removal).
 *
 * A host holds an address when the address is one of its own, or lies inside a block delegated to it
 * (the agent then assigns the address itself). Among the hosts holding the gateway's address:
 *   1. only ACTIVE hosts take new gateways; a DRAINING host's gateways move to an ACTIVE host that holds
 *      their address, and stay where they are while there is none;
 *   2. a host that has every LAN the gateway's connections name comes before one that lacks some;
 *   3. then the host the gateway runs on already (no move without a reason);
 *   4. then the oldest host (created date, then id): two hosts holding one address give a stable answer.
 * No host: the gateway is unplaced, with the message "no gateway host holds <ip>".
 */

export type HostState = 'ACTIVE' | 'DRAINING';

/** What placement needs to know of a host. */
export interface PlacementHost {
  id: string;
  state: HostState;
  createdDate: string;
  addresses: readonly string[];
  delegatedBlocks: readonly string[];
  /** lanKey(datacenterId, lanId) of every LAN the host has an interface for. */
  lans: ReadonlySet<string>;
}

/** What placement needs to know of a gateway. */
export interface PlacementGateway {
  gatewayIP: string;
  connections: ReadonlyArray<{ datacenterId: string; lanId: string }>;
  deleting: boolean;
  /** The host it runs on now, if any. */
  currentHostId: string | null;
}

export type Placement = { hostId: string } | { hostId: null; message: string };

function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const value = ipaddr.parse(address);
    return value.kind() === 'ipv6' && (value as ipaddr.IPv6).isIPv4MappedAddress() ? (value as ipaddr.IPv6).toIPv4Address() : value;
  } catch {
    return undefined;
  }
}

/** Whether the host holds the address: one of its own, or inside a block delegated to it. */
export function hostHolds(host: Pick<PlacementHost, 'addresses' | 'delegatedBlocks'>, address: string): boolean {
  const wanted = parsed(address);
  if (!wanted) return false;
  const text = wanted.toNormalizedString();
  if (host.addresses.some((a) => parsed(a)?.toNormalizedString() === text && parsed(a)?.kind() === wanted.kind())) return true;
  return host.delegatedBlocks.some((block) => {
    try {
      const [network, bits] = ipaddr.parseCIDR(block);
      return network.kind() === wanted.kind() && wanted.match([network, bits] as never);
    } catch {
      return false;
    }
  });
}

const hasLans = (host: PlacementHost, gateway: PlacementGateway) =>
  gateway.connections.every((c) => host.lans.has(lanKey(c.datacenterId, c.lanId)));

/** The host a gateway runs on, or why none does. */
export function placeGateway(gateway: PlacementGateway, hosts: readonly PlacementHost[]): Placement {
  if (gateway.deleting) return { hostId: null, message: 'the gateway is being deleted' };
  const candidates = hosts.filter((h) =>
    (h.state === 'ACTIVE' || h.id === gateway.currentHostId) && hostHolds(h, gateway.gatewayIP));
  if (candidates.length === 0) return { hostId: null, message: `no gateway host holds ${gateway.gatewayIP}` };
  const rank = (h: PlacementHost) => [h.state === 'ACTIVE' ? 0 : 1, hasLans(h, gateway) ? 0 : 1, h.id === gateway.currentHostId ? 0 : 1];
  const [best] = [...candidates].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    const differing = ra.findIndex((value, i) => value !== rb[i]);
    if (differing >= 0) return (ra[differing] ?? 0) - (rb[differing] ?? 0);
    return a.createdDate.localeCompare(b.createdDate) || a.id.localeCompare(b.id);
  });
  return { hostId: (best as PlacementHost).id };
}
