import type { DiffieHellmanGroup, EncryptionAlgorithm, IntegrityAlgorithm, Security } from '../schemas/ipsec.ts';

// Exhaustive maps: a new API enum value without a strongSwan keyword fails the typecheck.
const encryptionKeywords: Record<EncryptionAlgorithm, string> = {
  AES128: 'aes128',
  AES256: 'aes256',
  'AES128-CTR': 'aes128ctr',
  'AES256-CTR': 'aes256ctr',
  'AES128-GCM-16': 'aes128gcm16',
  'AES256-GCM-16': 'aes256gcm16',
  'AES128-GCM-12': 'aes128gcm12',
  'AES256-GCM-12': 'aes256gcm12',
  'AES128-CCM-12': 'aes128ccm12',
  'AES256-CCM-12': 'aes256ccm12',
};

const aeadEncryption: Record<EncryptionAlgorithm, boolean> = {
  AES128: false,
  AES256: false,
  'AES128-CTR': false,
  'AES256-CTR': false,
  'AES128-GCM-16': true,
  'AES256-GCM-16': true,
  'AES128-GCM-12': true,
  'AES256-GCM-12': true,
  'AES128-CCM-12': true,
  'AES256-CCM-12': true,
};

const integrityKeywords: Record<IntegrityAlgorithm, string> = {
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
  'AES-XCBC': 'aesxcbc',
};

const dhKeywords: Record<DiffieHellmanGroup, string> = {
  '15-MODP3072': 'modp3072',
  '16-MODP4096': 'modp4096',
  '19-ECP256': 'ecp256',
  '20-ECP384': 'ecp384',
  '21-ECP521': 'ecp521',
  '28-ECP256BP': 'ecp256bp',
  '29-ECP384BP': 'ecp384bp',
  '30-ECP512BP': 'ecp512bp',
};

/** True for the combined-mode ciphers (GCM, CCM), which carry their own integrity. */
export function isAeadEncryption(algorithm: EncryptionAlgorithm): boolean {
  return aeadEncryption[algorithm];
}

/** strongSwan IKE proposal, e.g. `aes256-sha256-modp4096` or `aes256gcm16-prfsha256-modp4096`. */
export function ikeProposal(s: Security): string {
  const enc = encryptionKeywords[s.encryptionAlgorithm];
  const integ = integrityKeywords[s.integrityAlgorithm];
  const dh = dhKeywords[s.diffieHellmanGroup];
  // AEAD IKE SAs still need a PRF; the integrity choice supplies it.
  return isAeadEncryption(s.encryptionAlgorithm) ? `${enc}-prf${integ}-${dh}` : `${enc}-${integ}-${dh}`;
}

/** strongSwan ESP proposal with the DH group as PFS; integrity is left out for AEAD ciphers. */
export function espProposal(s: Security): string {
  const enc = encryptionKeywords[s.encryptionAlgorithm];
  const dh = dhKeywords[s.diffieHellmanGroup];
  if (isAeadEncryption(s.encryptionAlgorithm)) return `${enc}-${dh}`;
  return `${enc}-${integrityKeywords[s.integrityAlgorithm]}-${dh}`;
}
