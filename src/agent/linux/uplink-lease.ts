import { delegatedBlockOf, type DelegatedBlock } from './delegated-blocks.ts';
import { canonicalAddress } from './ip-prefix.ts';
import type { ObservedHost, Step, UplinkLease } from './gateway-network-plan.ts';

/** Where a gateway's gatewayIP comes from this pass, and a previous address to give back, or why it cannot have one. */
export type UplinkDecision = { lease: UplinkLease; giveBack?: UplinkLease } | { error: string };

/**
 * Decides the uplink of a gateway. The gatewayIP is the gateway's alone on this host: taken from the
 * host interface that holds it (remembered, to be given back), kept where an earlier pass put it, or
 * else assigned from a block delegated to the host (a /32 or /128 on the block's interface, or on the
 * interface of the host's IPv4 default route). An interface holding the address wins over a block.
 * Another gateway holding the same address wins; the message names no other gateway (tenants never meet).
 */
export function resolveUplink(
  gatewayId: string, gatewayIP: string, leases: Record<string, UplinkLease>, observedHost: ObservedHost, delegatedBlocks: readonly DelegatedBlock[] = [],
): UplinkDecision {
  const address = canonicalAddress(gatewayIP);
  if (Object.entries(leases).some(([id, lease]) => id !== gatewayId && lease.address === address)) {
    return { error: `The gatewayIP ${gatewayIP} is already in use by another gateway on this host.` };
  }
  const mine = leases[gatewayId];
  const giveBack = mine && mine.address !== address ? { giveBack: mine } : {};
  for (const link of observedHost.links) {
    const cidr = link.addresses.find((c) => c.split('/')[0] === address);
    if (cidr) return { lease: { address, prefixLength: Number(cidr.split('/')[1]), hostInterface: link.name }, ...giveBack };
  }
  if (mine && mine.address === address && !mine.delegated) {
    if (!observedHost.links.some((l) => l.name === mine.hostInterface)) {
      return { error: `The interface ${mine.hostInterface} that carried the gatewayIP ${gatewayIP} is missing on this host.` };
    }
    return { lease: mine };
  }
  const block = delegatedBlockOf(delegatedBlocks, address);
  if (!block) return { error: `The gatewayIP ${gatewayIP} is not an address of this host.` };
  const ipv6 = address.includes(':');
  // The interface of the default route of the address's own family: that is where its traffic leaves.
  const hostInterface = block.interface ?? (ipv6 ? observedHost.defaultRoute6 : observedHost.defaultRoute)?.dev;
  if (!hostInterface) {
    return { error: `The gatewayIP ${gatewayIP} lies in the delegated block ${block.cidr}, which names no interface, and this host has no ${ipv6 ? 'IPv6' : 'IPv4'} default route to take its interface from.` };
  }
  if (!observedHost.links.some((l) => l.name === hostInterface)) {
    return { error: `The interface ${hostInterface} of the delegated block ${block.cidr} (gatewayIP ${gatewayIP}) is missing on this host.` };
  }
  return { lease: { address, prefixLength: ipv6 ? 128 : 32, hostInterface, delegated: true }, ...giveBack };
}

/**
 * Gives a gatewayIP back to the host interface it was taken from; tolerated when that interface is gone.
 * A delegated address was never the host's: removing the gateway's namespace (or its address) releases it.
 */
export function giveBackSteps(lease: UplinkLease, observedHost: ObservedHost): Step[] {
  if (lease.delegated) return [];
  const cidr = `${lease.address}/${lease.prefixLength}`;
  const held = observedHost.links.some((l) => l.addresses.includes(cidr));
  if (held || !observedHost.links.some((l) => l.name === lease.hostInterface)) return [];
  return [{ where: 'host', command: 'ip', args: ['addr', 'add', cidr, 'dev', lease.hostInterface, ...(lease.address.includes(':') ? ['nodad'] : [])], mayFail: true }];
}

/**
 * The uplink leg is a macvlan of one host interface: when the lease moves to another interface (a
 * delegated block's default-route interface changed, the address moved between interfaces), the leg
 * is deleted so that the plan makes it anew on the right one.
 */
export function relinkSteps(previous: UplinkLease | undefined, lease: UplinkLease, uplinkLeg: string): Step[] {
  if (!previous || previous.hostInterface === lease.hostInterface) return [];
  return [{ where: 'gateway', command: 'ip', args: ['link', 'del', uplinkLeg], mayFail: true }];
}
