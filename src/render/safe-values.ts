import type { Security } from '../schemas/ipsec.ts';

// Only validated values reach a config file; these guards make a bug upstream fail loudly instead of
// emitting a directive. A newline, `{`, `}` or `#` could open or close a section or start a comment.
/** Addresses, FQDNs, CIDRs and UUIDs: what swanctl.conf values need. */
export const SWANCTL_VALUE = /^[A-Za-z0-9.:/_-]+$/;
/** The same plus base64 keys: what WireGuard config values need. */
export const WIREGUARD_VALUE = /^[A-Za-z0-9.:/+=_-]+$/;

/** The value, when it matches the allowed characters; the error never echoes it (it may be a key). */
export function safe(field: string, value: string, allowed: RegExp): string {
  if (!allowed.test(value)) throw new Error(`refusing to render an unsafe ${field}`);
  return value;
}

export function safePort(field: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`refusing to render an invalid ${field}`);
  return String(port);
}

/** A swanctl.conf section: its name, then its lines indented by two spaces. */
export function block(name: string, body: string[]): string[] {
  return [`${name} {`, ...body.map((line) => (line === '' ? '' : `  ${line}`)), '}'];
}

/** Rekey at 90% of the lifetime; integer arithmetic so no float rounding creeps in. */
export function rekeyTime(s: Security): number {
  return Math.floor((s.lifetime * 9) / 10);
}
