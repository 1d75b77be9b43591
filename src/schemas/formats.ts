/**
 * Names of the string formats the schemas use. Their checks live in domain/formats.ts and are
 * registered with the validator; the names appear in the OpenAPI document.
 */
export const Formats = {
  uuid: 'uuid',
  ipAddress: 'ip-address',
  ipv4Cidr: 'ipv4-cidr',
  ipv6Cidr: 'ipv6-cidr',
  cidr: 'cidr',
  wireguardKey: 'wireguard-key',
  hostOrIp: 'host-or-ip',
  ipv4OrFqdn: 'ipv4-or-fqdn',
  timeOfDay: 'time-of-day',
  email: 'email',
} as const;

export type FormatName = (typeof Formats)[keyof typeof Formats];
