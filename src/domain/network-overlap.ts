import ipaddr from 'ipaddr.js';

type Prefix = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parsePrefix(cidr: string): Prefix | undefined {
  try {
    const parsed = ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
    // IPv4-mapped IPv6 is compared as the IPv4 it maps, so the two spellings of one network meet.
    const [address, length] = parsed;
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && length >= 96) {
      return [(address as ipaddr.IPv6).toIPv4Address(), length - 96];
    }
    return parsed;
  } catch {
    return undefined;
  }
}

/** True when the two networks share an address: one contains the other (prefixes nest or are disjoint). */
export function networksOverlap(a: string, b: string): boolean {
  const left = parsePrefix(a);
  const right = parsePrefix(b);
  if (!left || !right || left[0].kind() !== right[0].kind()) return false;
  const shorter = left[1] <= right[1] ? left : right;
  const longer = shorter === left ? right : left;
  return longer[0].match(shorter[0], shorter[1]);
}

/** A sibling that already holds part of the networks: the first overlapping pair, with the sibling's id. */
export interface NetworkClash {
  siblingId: string;
  mine: string;
  theirs: string;
}

/** The first of `mine` that overlaps a network of another sibling (by id), if any. */
export function firstNetworkClash(mine: string[], siblings: Array<{ id: string; networks: string[] }>): NetworkClash | undefined {
  for (const network of mine) {
    for (const sibling of siblings) {
      const theirs = sibling.networks.find((other) => networksOverlap(network, other));
      if (theirs) return { siblingId: sibling.id, mine: network, theirs };
    }
  }
  return undefined;
}
