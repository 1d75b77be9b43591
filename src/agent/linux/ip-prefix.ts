import ipaddr from 'ipaddr.js';

/** An address in the form the kernel and wg(8) print it: dotted IPv4, RFC 5952 IPv6. */
export function canonicalAddress(text: string): string {
  const parsed = ipaddr.parse(text);
  return parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
}

/** The network of a CIDR with host bits cleared (`10.7.0.5/24` → `10.7.0.0/24`), as wg(8) stores allowed IPs. */
export function canonicalNetwork(cidr: string): string {
  const [address, length] = ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
  const network = address.kind() === 'ipv6'
    ? ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${length}`)
    : ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${length}`);
  return `${canonicalAddress(network.toString())}/${length}`;
}

/** An interface address with its prefix length kept (`10.7.0.1/24`), canonically spelled. */
export function canonicalInterfaceAddress(cidr: string): string {
  const [address, length] = ipaddr.parseCIDR(cidr);
  return `${canonicalAddress(address.toString())}/${length}`;
}

/** True when `address` (no prefix) lies inside `cidr`. */
export function prefixContains(cidr: string, address: string): boolean {
  const [network, length] = ipaddr.parseCIDR(cidr);
  const parsed = ipaddr.parse(address);
  return parsed.kind() === network.kind() && parsed.match(network, length);
}

/** True for an IPv4 or IPv6 literal, false for a DNS name. */
export function isIpLiteral(text: string): boolean {
  return ipaddr.isValid(text);
}
