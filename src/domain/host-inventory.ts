import ipaddr from 'ipaddr.js';
import { isHostInterfaceName, isLanId, lanKey } from './datacenters.ts';
import { badRequest } from './errors.ts';
import { isUuid } from './formats.ts';

/** A gateway host's inventory as its agent sends it; checked here beyond the schema's shape. */
export interface InventoryInput {
  addresses: string[];
  delegatedBlocks: string[];
  lans: Array<{ datacenterId: string; lanId: string; interface: string }>;
}

const invalid = (field: string, message: string) => badRequest(`${field}: ${message}`, 'INVALID_INVENTORY');

/** An address in its canonical text (IPv4 dotted quad, IPv6 compressed lower case), else undefined. */
function canonicalAddress(text: string): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (!text.includes(':') || !ipaddr.IPv6.isValid(text) || text.includes('%')) return undefined;
  return ipaddr.IPv6.parse(text).toString();
}

function canonicalBlock(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^[0-9]{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const address = canonicalAddress(text.slice(0, slash));
  if (!address) return undefined;
  try {
    const [network, bits] = ipaddr.parseCIDR(`${address}/${text.slice(slash + 1)}`);
    const first = network.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`);
    return `${first.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}

/**
 * The inventory with addresses and blocks in canonical form (a block by its network address), or a
 * 400 naming the first bad field. Duplicates collapse; two LAN entries for one LAN, or one interface
 * for two LANs, are refused (one interface is one network).
 */
export function validateInventory(input: InventoryInput): InventoryInput {
  const addresses = input.addresses.map((a, i) => canonicalAddress(a) ?? (() => { throw invalid(`addresses[${i}]`, `"${a}" is not an IPv4 or IPv6 address.`); })());
  const delegatedBlocks = input.delegatedBlocks.map((b, i) =>
    canonicalBlock(b) ?? (() => { throw invalid(`delegatedBlocks[${i}]`, `"${b}" is not an IPv4 or IPv6 CIDR block.`); })());
  const lanKeys = new Set<string>();
  const interfaces = new Set<string>();
  const lans = input.lans.map((l, i) => {
    if (!isUuid(l.datacenterId)) throw invalid(`lans[${i}].datacenterId`, 'must be a UUID.');
    if (!isLanId(l.lanId)) throw invalid(`lans[${i}].lanId`, 'must be a string of digits.');
    if (!isHostInterfaceName(l.interface)) throw invalid(`lans[${i}].interface`, `"${l.interface}" is not a network interface name.`);
    const key = lanKey(l.datacenterId, l.lanId);
    if (lanKeys.has(key)) throw invalid(`lans[${i}]`, 'names a LAN listed already.');
    if (interfaces.has(l.interface)) throw invalid(`lans[${i}].interface`, `${l.interface} is listed for another LAN already.`);
    lanKeys.add(key);
    interfaces.add(l.interface);
    return { datacenterId: l.datacenterId.toLowerCase(), lanId: l.lanId, interface: l.interface };
  });
  return { addresses: [...new Set(addresses)], delegatedBlocks: [...new Set(delegatedBlocks)], lans };
}
