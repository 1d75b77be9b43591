/**
 * The official clients send "" and null for fields they leave unset ({"time":"","dayOfTheWeek":""}
 * for no window), and key files ending in a newline: trim every string and drop what is empty,
 * objects left with nothing included, so that "empty" always means "not given".
 */
export function dropEmpty(value: unknown): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (Array.isArray(value)) return value.map(dropEmpty).filter((v) => v !== undefined);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const cleaned = dropEmpty(v);
      if (cleaned !== undefined) out[key] = cleaned;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value === null ? undefined : value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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

/** A peer endpoint without a host is no endpoint (SDK 2.x sends {"host": ""} for a roaming peer). */
export function canonicalPeerProperties(properties: unknown): unknown {
  if (!isRecord(properties) || !isRecord(properties.endpoint) || properties.endpoint.host !== undefined) return properties;
  const { endpoint: _none, ...rest } = properties;
  return rest;
}
