import { badRequest } from './errors.ts';

/** The part of a JSON Schema the normaliser follows: where objects are expected, and their fields. */
export interface SchemaShape {
  type?: unknown;
  properties?: Record<string, SchemaShape>;
  items?: SchemaShape;
}

const MAX_DEPTH = 32;
// Passwords are taken as typed: surrounding spaces may be part of them.
const VERBATIM_FIELDS = new Set(['password']);

/**
 * The official clients send "" and null for fields they leave unset ({"time":"","dayOfTheWeek":""}
 * for no window), and key files ending in a newline: trim strings and drop what is empty, so that
 * "empty" always means "not given". An object is dropped when it is left empty only where the schema
 * expects an object; elsewhere `{}` stays, so that a wrong type is still reported as one.
 */
export function dropEmpty(value: unknown, schema?: SchemaShape, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw badRequest(`The request body is nested deeper than ${MAX_DEPTH} levels.`, 'MALFORMED_JSON');
  if (value === null) return undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (Array.isArray(value)) return value.map((v) => dropEmpty(v, schema?.items, depth + 1)).filter((v) => v !== undefined);
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const cleaned = VERBATIM_FIELDS.has(key) && typeof v === 'string' ? v || undefined : dropEmpty(v, schema?.properties?.[key], depth + 1);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  return Object.keys(out).length === 0 && schema?.type === 'object' ? undefined : out;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const LEGACY_ENCRYPTION: Record<string, string> = { 'AES-256': 'AES256', 'AES-128': 'AES128' };

/** The product docs' IKE/ESP shape ({encryption, hash|auth}) in the canonical field names. */
function canonicalSecurity(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const { encryption, hash, auth, ...rest } = input;
  const out: Record<string, unknown> = { ...rest };
  if (out.encryptionAlgorithm === undefined && encryption !== undefined) {
    out.encryptionAlgorithm = typeof encryption === 'string' ? (LEGACY_ENCRYPTION[encryption] ?? encryption) : encryption;
  }
  const integrity = hash ?? auth;
  if (out.integrityAlgorithm === undefined && integrity !== undefined) out.integrityAlgorithm = integrity;
  return out;
}

/** Accepts the docs' tunnel variants (auth.ike/auth.esp, psk.secret, encryption/hash/auth) as canonical. */
export function canonicalTunnelProperties(properties: unknown): unknown {
  if (!isRecord(properties)) return properties;
  const out: Record<string, unknown> = { ...properties };
  if (isRecord(out.auth)) {
    const { ike, esp, psk, ...auth } = out.auth;
    if (out.ike === undefined && ike !== undefined) out.ike = ike;
    if (out.esp === undefined && esp !== undefined) out.esp = esp;
    if (isRecord(psk)) {
      const { secret, ...rest } = psk;
      auth.psk = rest.key === undefined && secret !== undefined ? { ...rest, key: secret } : rest;
    } else if (psk !== undefined) {
      auth.psk = psk;
    }
    out.auth = auth;
  }
  if (out.ike !== undefined) out.ike = canonicalSecurity(out.ike);
  if (out.esp !== undefined) out.esp = canonicalSecurity(out.esp);
  return out;
}

/** A peer endpoint without a host is no endpoint (SDK 2.x sends {"host": "", "port": 0} for a roaming peer). */
export function canonicalPeerProperties(properties: unknown): unknown {
  if (!isRecord(properties) || !isRecord(properties.endpoint)) return properties;
  const { host, port, ...others } = properties.endpoint;
  const unset = host === undefined && (port === undefined || typeof port === 'number') && Object.keys(others).length === 0;
  if (!unset) return properties;
  const { endpoint: _none, ...rest } = properties;
  return rest;
}
