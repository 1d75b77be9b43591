import ipaddr from 'ipaddr.js';
import { isHostInterfaceName } from '../../domain/datacenters.ts';
import { prefixContains } from './ip-prefix.ts';

/**
 * An address block the operator delegated to this host: the upstream delivers each of its addresses
 * on-link on `interface` (it ARPs / does ND for them, as for IONOS reserved IPs). Without an interface,
 * the one carrying the host's IPv4 default route, observed on each pass.
 */
export interface DelegatedBlock {
  cidr: string;
  interface?: string;
}

/** `CIDR[=INTERFACE]` (e.g. `203.0.113.0/28=eth0`), or why not; `flag` names the setting in the message. */
export function parseDelegatedBlock(raw: string, flag: string): DelegatedBlock | { error: string } {
  const [cidr = '', iface, ...rest] = raw.split('=');
  const [base = '', prefix] = cidr.split('/');
  const valid = prefix !== undefined && /^[0-9]{1,3}$/.test(prefix) && (ipaddr.IPv4.isValidFourPartDecimal(base) || ipaddr.IPv6.isValid(base)) && ipaddr.isValidCIDR(cidr);
  if (!valid) return { error: `${flag}: "${raw}" is not CIDR[=INTERFACE] (e.g. 203.0.113.0/28 or 203.0.113.0/28=eth0).` };
  if (rest.length > 0 || (iface !== undefined && !isHostInterfaceName(iface))) {
    return { error: `${flag}: "${iface ?? ''}" in "${raw}" is not an interface name (1-15 letters, digits, "_", "." or "-").` };
  }
  return { cidr, ...(iface !== undefined ? { interface: iface } : {}) };
}

/** The first delegated block that contains the address (no prefix), if any. */
export function delegatedBlockOf(blocks: readonly DelegatedBlock[], address: string): DelegatedBlock | undefined {
  return blocks.find((b) => prefixContains(b.cidr, address));
}
