import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const toNumber = (address: Address): bigint => address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);

function fromNumber(value: bigint, bytes: number): Address {
  const array: number[] = [];
  for (let i = 0; i < bytes; i++) array.unshift(Number((value >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(array);
}

function parseCidr(cidr: string): [Address, number] | undefined {
  try {
    return ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
}

/** A CIDR as the first and last address it covers, as numbers. */
function range(address: Address, bits: number): [bigint, bigint] {
  const width = BigInt(address.kind() === 'ipv4' ? 32 : 128);
  const size = 1n << (width - BigInt(bits));
  const first = (toNumber(address) / size) * size;
  return [first, first + size - 1n];
}

/**
 * The lowest host address of the gateway's interface network that no peer uses yet: not the gateway's
 * own address, not inside any of `used` (the peers' allowed IPs; a network counts whole), and for IPv4
 * neither the network nor the broadcast address (a /31 and /32 have none). As `a.b.c.d/32` or `…/128`;
 * undefined when the network is full.
 */
export function nextFreeHostAddress(interfaceCidr: string, used: string[]): string | undefined {
  const parsed = parseCidr(interfaceCidr);
  if (!parsed) return undefined;
  const [own, bits] = parsed;
  const v4 = own.kind() === 'ipv4';
  let [first, last] = range(own, bits);
  if (v4 && bits < 31) [first, last] = [first + 1n, last - 1n];
  if (!v4 && bits < 128) first += 1n; // the subnet-router anycast address
  const taken = used.map(parseCidr).filter((c): c is [Address, number] => c !== undefined && c[0].kind() === own.kind()).map(([a, b]) => range(a, b));
  taken.push([toNumber(own), toNumber(own)]);
  for (let candidate = first; candidate <= last;) {
    const blocking = taken.find(([from, to]) => candidate >= from && candidate <= to);
    if (!blocking) return `${fromNumber(candidate, v4 ? 4 : 16).toString()}/${v4 ? 32 : 128}`;
    candidate = blocking[1] + 1n;
  }
  return undefined;
}
