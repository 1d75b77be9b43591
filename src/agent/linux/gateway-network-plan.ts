import type { GatewayLayout } from '../gateway-layout.ts';
import { diffSets } from './link-plan.ts';
import { legMacAddress } from './names.ts';

/**
 * One command of a plan: run in the host's namespace (uplink and LAN interfaces), in the gateway's, or
 * at the root for `ip netns` bookkeeping (a bind mount made inside `ip netns exec` would not outlive it).
 */
export interface Step {
  where: 'root' | 'host' | 'gateway';
  command: string;
  args: string[];
  /** Written to the command's stdin (the firewall ruleset for `nft -f -`). */
  input?: string;
  /** A failure is tolerated (giving an address back to an interface that went away). */
  mayFail?: boolean;
}

/** An interface as `ip -j addr show` reports it: its state and global addresses with prefix. */
export interface ObservedLink {
  name: string;
  up: boolean;
  addresses: string[];
}

/**
 * Where a gatewayIP came from on the host, so it can be given back when the gateway goes: a host
 * interface's address, or (delegated) an address of a block delegated to the host, assigned to the
 * gateway alone as a /32 (/128) on a leg of the block's interface, and released with its namespace.
 */
export interface UplinkLease {
  address: string;
  prefixLength: number;
  hostInterface: string;
  delegated?: boolean;
}

export interface ObservedHost {
  links: ObservedLink[];
  /** The host's IPv4 default route, when it leaves through an interface with a next hop. */
  defaultRoute?: { via: string; dev: string };
  /** The host's IPv6 default route, likewise (a delegated /128 has no other way out). */
  defaultRoute6?: { via: string; dev: string };
}

export interface ObservedGatewayNamespace {
  exists: boolean;
  links: ObservedLink[];
  /** net.ipv4.ip_forward, net.ipv6.conf.all.forwarding, arp_notify and ndisc_notify all on. */
  sysctlsSet: boolean;
  defaultVia?: string;
  defaultVia6?: string;
  firewall?: { hash?: string; ruleCount: number };
}

export const NAMESPACE_SYSCTLS = [
  'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.conf.all.arp_notify=1', 'net.ipv6.conf.all.ndisc_notify=1',
];

const host = (command: string, ...args: string[]): Step => ({ where: 'host', command, args });
const inGateway = (command: string, ...args: string[]): Step => ({ where: 'gateway', command, args });

const EMPTY_NAMESPACE: ObservedGatewayNamespace = { exists: false, links: [], sysctlsSet: false };

/**
 * A leg that is missing in the namespace: made as a macvlan of the host interface, then moved in. One
 * left in the host's namespace by an interrupted pass is deleted first.
 */
function createLeg(name: string, parent: string, namespace: string, strandedOnHost: boolean): Step[] {
  return [
    ...(strandedOnHost ? [host('ip', 'link', 'del', name)] : []),
    host('ip', 'link', 'add', name, 'link', parent, 'address', legMacAddress(name), 'type', 'macvlan', 'mode', 'bridge'),
    host('ip', 'link', 'set', name, 'netns', namespace),
  ];
}

/** Addresses to set on a leg; it goes up afterwards, so the kernel announces them (arp_notify, ndisc_notify). */
interface LegTarget {
  name: string;
  parent: string;
  addresses: string[];
}

function legSteps(leg: LegTarget, observed: ObservedLink | undefined, namespace: string, observedHost: ObservedHost, before: Step[] = []): Step[] {
  const { name } = leg;
  const change = diffSets(leg.addresses, observed?.addresses ?? []);
  return [
    ...(observed ? [] : createLeg(name, leg.parent, namespace, observedHost.links.some((l) => l.name === name))),
    ...change.remove.map((cidr) => inGateway('ip', 'addr', 'del', cidr, 'dev', name)),
    ...before,
    ...change.add.map((cidr) => inGateway('ip', 'addr', 'add', cidr, 'dev', name, ...(cidr.includes(':') ? ['nodad'] : []))),
    ...(observed?.up ? [] : [inGateway('ip', 'link', 'set', name, 'up')]),
  ];
}

/**
 * The host interfaces that still hold the gatewayIP: the gateway takes it from them. Without
 * promote_secondaries, deleting an interface's primary address would delete the other addresses of
 * its subnet too (other gateways' gatewayIPs, the host's own).
 */
function takeFromHost(lease: UplinkLease, observedHost: ObservedHost): Step[] {
  if (lease.delegated) return [];
  return observedHost.links.flatMap((link) => link.addresses
    .filter((cidr) => cidr.split('/')[0] === lease.address)
    .flatMap((cidr) => [
      ...(cidr.includes(':') ? [] : [host('sysctl', '-qw', `net/ipv4/conf/${link.name}/promote_secondaries=1`)]),
      host('ip', 'addr', 'del', cidr, 'dev', link.name),
    ]));
}

/**
 * The steps that bring a gateway's namespace to its layout: the namespace with forwarding on, the
 * uplink leg holding the gatewayIP (taken from the host interface, or a delegated block's address as a
 * /32 or /128 with an on-link default route) and the host's default route of the gatewayIP's family
 * when it leaves through the leg's interface, one leg per LAN with its
 * addresses, no leg it does not want, and the firewall. Pure: nothing is decided while executing.
 */
export function planGatewayNetwork(layout: GatewayLayout, lease: UplinkLease, observedHost: ObservedHost, observed: ObservedGatewayNamespace): Step[] {
  const ns = observed.exists ? observed : EMPTY_NAMESPACE;
  const link = (name: string) => ns.links.find((l) => l.name === name);
  const steps: Step[] = [];
  if (!ns.exists) steps.push({ where: 'root', command: 'ip', args: ['netns', 'add', layout.namespace] });
  if (!ns.sysctlsSet) steps.push(inGateway('sysctl', '-qw', ...NAMESPACE_SYSCTLS));
  if (!link('lo')?.up) steps.push(inGateway('ip', 'link', 'set', 'lo', 'up'));
  const wantedLegs = new Set([layout.uplinkLeg, ...layout.lanLegs.map((l) => l.name)]);
  for (const stray of ns.links.filter((l) => /^v[ul]/.test(l.name) && !wantedLegs.has(l.name))) steps.push(inGateway('ip', 'link', 'del', stray.name));
  const uplinkAddress = `${lease.address}/${lease.prefixLength}`;
  const uplink = { name: layout.uplinkLeg, parent: lease.hostInterface, addresses: [uplinkAddress] };
  steps.push(...legSteps(uplink, link(layout.uplinkLeg), layout.namespace, observedHost, takeFromHost(lease, observedHost)));
  const route = observedHost.defaultRoute;
  if (route && route.dev === lease.hostInterface && !lease.address.includes(':') && ns.defaultVia !== route.via) {
    // A delegated /32 has no connected subnet holding the next hop: it is reached on-link.
    steps.push(inGateway('ip', 'route', 'replace', 'default', 'via', route.via, 'dev', layout.uplinkLeg, ...(lease.delegated ? ['onlink'] : [])));
  }
  const route6 = observedHost.defaultRoute6;
  if (route6 && route6.dev === lease.hostInterface && lease.address.includes(':') && ns.defaultVia6 !== route6.via) {
    // The next hop is usually the router's link-local address, on the leg's link as on the host's.
    steps.push(inGateway('ip', '-6', 'route', 'replace', 'default', 'via', route6.via, 'dev', layout.uplinkLeg, ...(lease.delegated ? ['onlink'] : [])));
  }
  for (const leg of layout.lanLegs) {
    if (!leg.hostInterface) throw new Error(`LAN leg ${leg.name} has no host interface`);
    steps.push(...legSteps({ name: leg.name, parent: leg.hostInterface, addresses: leg.addresses }, link(leg.name), layout.namespace, observedHost));
  }
  const firewall = ns.firewall;
  if (firewall?.hash !== layout.firewall.hash || firewall.ruleCount !== layout.firewall.ruleCount) {
    steps.push({ where: 'gateway', command: 'nft', args: ['-f', '-'], input: layout.firewall.text });
  }
  return steps;
}
