import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DiffieHellmanGroupValues, EncryptionAlgorithmValues, IntegrityAlgorithmValues,
} from '../../src/schemas/ipsec.ts';
import type { Security } from '../../src/schemas/ipsec.ts';
import { espProposal, ikeProposal } from '../../src/render/ipsec-proposals.ts';

const base: Security = {
  diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', lifetime: 3600,
};

const dhKeywords: Record<string, string> = {
  '15-MODP3072': 'modp3072', '16-MODP4096': 'modp4096', '19-ECP256': 'ecp256', '20-ECP384': 'ecp384',
  '21-ECP521': 'ecp521', '28-ECP256BP': 'ecp256bp', '29-ECP384BP': 'ecp384bp', '30-ECP512BP': 'ecp512bp',
};
const encryptionKeywords: Record<string, { keyword: string; aead: boolean }> = {
  AES128: { keyword: 'aes128', aead: false },
  AES256: { keyword: 'aes256', aead: false },
  'AES128-CTR': { keyword: 'aes128ctr', aead: false },
  'AES256-CTR': { keyword: 'aes256ctr', aead: false },
  'AES128-GCM-16': { keyword: 'aes128gcm16', aead: true },
  'AES256-GCM-16': { keyword: 'aes256gcm16', aead: true },
  'AES128-GCM-12': { keyword: 'aes128gcm12', aead: true },
  'AES256-GCM-12': { keyword: 'aes256gcm12', aead: true },
  'AES128-CCM-12': { keyword: 'aes128ccm12', aead: true },
  'AES256-CCM-12': { keyword: 'aes256ccm12', aead: true },
};
const integrityKeywords: Record<string, string> = {
  SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', 'AES-XCBC': 'aesxcbc',
};

test('the expected tables cover exactly the API enums', () => {
  assert.deepEqual(Object.keys(dhKeywords).sort(), [...DiffieHellmanGroupValues].sort());
  assert.deepEqual(Object.keys(encryptionKeywords).sort(), [...EncryptionAlgorithmValues].sort());
  assert.deepEqual(Object.keys(integrityKeywords).sort(), [...IntegrityAlgorithmValues].sort());
});

test('every DH group maps to its keyword in both IKE and ESP proposals', () => {
  for (const diffieHellmanGroup of DiffieHellmanGroupValues) {
    const expected = dhKeywords[diffieHellmanGroup];
    assert.equal(ikeProposal({ ...base, diffieHellmanGroup }), `aes256-sha256-${expected}`, diffieHellmanGroup);
    assert.equal(espProposal({ ...base, diffieHellmanGroup }), `aes256-sha256-${expected}`, diffieHellmanGroup);
  }
});

test('every encryption algorithm maps, with a PRF for AEAD IKE and no integrity for AEAD ESP', () => {
  for (const encryptionAlgorithm of EncryptionAlgorithmValues) {
    const entry = encryptionKeywords[encryptionAlgorithm];
    assert.ok(entry);
    const s: Security = { ...base, encryptionAlgorithm, diffieHellmanGroup: '20-ECP384' };
    const ike = entry.aead ? `${entry.keyword}-prfsha256-ecp384` : `${entry.keyword}-sha256-ecp384`;
    const esp = entry.aead ? `${entry.keyword}-ecp384` : `${entry.keyword}-sha256-ecp384`;
    assert.equal(ikeProposal(s), ike, encryptionAlgorithm);
    assert.equal(espProposal(s), esp, encryptionAlgorithm);
  }
});

test('every integrity algorithm maps, as integrity for non-AEAD and as PRF for AEAD IKE', () => {
  for (const integrityAlgorithm of IntegrityAlgorithmValues) {
    const expected = integrityKeywords[integrityAlgorithm];
    assert.equal(ikeProposal({ ...base, integrityAlgorithm }), `aes256-${expected}-modp4096`);
    assert.equal(espProposal({ ...base, integrityAlgorithm }), `aes256-${expected}-modp4096`);
    const gcm: Security = { ...base, integrityAlgorithm, encryptionAlgorithm: 'AES256-GCM-16' };
    assert.equal(ikeProposal(gcm), `aes256gcm16-prf${expected}-modp4096`);
  }
});

test('AEAD ESP proposals ignore the integrity algorithm entirely', () => {
  for (const encryptionAlgorithm of ['AES128-GCM-16', 'AES256-GCM-12', 'AES128-CCM-12', 'AES256-CCM-12'] as const) {
    const proposals = IntegrityAlgorithmValues.map((integrityAlgorithm) =>
      espProposal({ ...base, encryptionAlgorithm, integrityAlgorithm }));
    assert.equal(new Set(proposals).size, 1, encryptionAlgorithm);
    assert.equal(proposals[0]?.split('-').length, 2, `${encryptionAlgorithm}: enc-dh only`);
  }
});

test('documented examples', () => {
  assert.equal(ikeProposal(base), 'aes256-sha256-modp4096');
  assert.equal(ikeProposal({ ...base, encryptionAlgorithm: 'AES256-GCM-16' }), 'aes256gcm16-prfsha256-modp4096');
  assert.equal(ikeProposal({ ...base, encryptionAlgorithm: 'AES128-CCM-12', integrityAlgorithm: 'AES-XCBC' }),
    'aes128ccm12-prfaesxcbc-modp4096');
});
