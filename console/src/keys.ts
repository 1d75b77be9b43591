// WireGuard keys (X25519) made and checked in the page with Web Crypto: a private key never leaves it.
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
/** PKCS #8 wrapping of a raw X25519 private key (RFC 8410). */
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];
/** The X25519 base point u = 9: the shared secret with it is the public key. */
const BASE_POINT = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 9 : 0));

export interface KeyPair { privateKey: string; publicKey: string }

export async function generateKeyPair(): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: toBase64(pkcs8.slice(-32)), publicKey: toBase64(raw) };
}

/** The public key of a base64 private key; throws when it is not 32 bytes of base64. */
export async function publicKeyOf(privateKey: string): Promise<string> {
  const raw = fromBase64(privateKey.trim());
  if (raw.length !== 32) throw new Error('A WireGuard private key is 32 bytes in base64 (44 characters).');
  const key = await crypto.subtle.importKey('pkcs8', Uint8Array.from([...PKCS8_PREFIX, ...raw]), { name: 'X25519' }, false, ['deriveBits']);
  const base = await crypto.subtle.importKey('raw', BASE_POINT, { name: 'X25519' }, false, []);
  return toBase64(new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: base }, key, 256)));
}
