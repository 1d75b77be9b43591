import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

// DER prefix of a PKCS#8 X25519 private key; the 32 raw key bytes follow it.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The base64 X25519 public key of a base64 WireGuard private key (clamping as X25519 does). */
export function wireguardPublicKey(privateKeyBase64: string): string {
  const raw = Buffer.from(privateKeyBase64, 'base64');
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url').toString('base64');
}

/** A new WireGuard key pair, base64 encoded like `wg genkey` / `wg pubkey`. */
export function generateWireguardKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const priv = Buffer.from(jwk.d ?? '', 'base64url').toString('base64');
  return { privateKey: priv, publicKey: wireguardPublicKey(priv) };
}
