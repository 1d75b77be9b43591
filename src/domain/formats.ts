import ipaddr from 'ipaddr.js';
import { Formats, type FormatName } from '../schemas/formats.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isIpv4 = (s: string) => ipaddr.IPv4.isValidFourPartDecimal(s);
const isIpv6 = (s: string) => !s.includes('%') && ipaddr.IPv6.isValid(s) && s.includes(':');

function isCidrOf(s: string, family: 'ipv4' | 'ipv6'): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const address = s.slice(0, slash);
  const prefix = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  if (family === 'ipv4' ? !isIpv4(address) : !isIpv6(address)) return false;
  return Number(prefix) <= (family === 'ipv4' ? 32 : 128);
}

function isHostname(s: string): boolean {
  if (s.length > 253 || isIpv4Like(s)) return false;
  const labels = s.replace(/\.$/, '').split('.');
  return labels.every((l) => HOST_LABEL.test(l));
}

/** Digits and dots only: meant as an IPv4 address, so it must not pass as a hostname. */
const isIpv4Like = (s: string) => /^[0-9.]+$/.test(s);

function isWireguardKey(s: string): boolean {
  // Canonical encoding only: wg(8) ignores the last character's spare bits, so "…B=" and "…A=" would be one key
  // under two spellings, slipping past the unique-peer-key and not-the-gateway's-key checks.
  return BASE64_32_BYTES.test(s) && Buffer.from(s, 'base64').toString('base64') === s;
}

/** The check and the human description of each string format the schemas name. */
export const formatRules: Record<FormatName, { check: (s: string) => boolean; expected: string }> = {
  [Formats.uuid]: { check: (s) => UUID.test(s), expected: 'a UUID' },
  [Formats.ipAddress]: { check: (s) => isIpv4(s) || isIpv6(s), expected: 'an IPv4 or IPv6 address without prefix' },
  [Formats.ipv4Cidr]: { check: (s) => isCidrOf(s, 'ipv4'), expected: 'an IPv4 address with prefix, e.g. 172.16.0.1/24' },
  [Formats.ipv6Cidr]: { check: (s) => isCidrOf(s, 'ipv6'), expected: 'an IPv6 address with prefix, e.g. fd00::1/64' },
  [Formats.cidr]: {
    check: (s) => isCidrOf(s, 'ipv4') || isCidrOf(s, 'ipv6'),
    expected: 'an IPv4 or IPv6 CIDR, e.g. 198.51.100.0/24',
  },
  [Formats.wireguardKey]: { check: isWireguardKey, expected: 'the base64 encoding of exactly 32 bytes' },
  [Formats.hostOrIp]: {
    check: (s) => isIpv4(s) || isIpv6(s) || isHostname(s),
    expected: 'a hostname or an IPv4/IPv6 address',
  },
  [Formats.ipv4OrFqdn]: {
    check: (s) => isIpv4(s) || (isHostname(s) && s.includes('.')),
    expected: 'an IPv4 address or a fully qualified domain name',
  },
  [Formats.timeOfDay]: { check: (s) => TIME_OF_DAY.test(s), expected: 'a time of day as HH:MM:SS' },
  [Formats.email]: { check: (s) => EMAIL.test(s) && s.length <= 254, expected: 'an email address' },
};

export const isUuid = formatRules[Formats.uuid].check;
