import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatRules } from '../../src/domain/formats.ts';
import { generateWireguardKeyPair, wireguardPublicKey } from '../../src/domain/wireguard-keys.ts';

describe('WireGuard keys', () => {
  test('the public key is what `wg pubkey` prints for a known private key', () => {
    assert.equal(wireguardPublicKey('0HpE4BNwGHabeaC4aY/GFxB6fBSc0d49Db0qAzRVSVc='), '9GCzWfGEkeM855tl2kjVtE+MnzHBkv1sJi4+Swo1c2E=');
  });

  test('derivation clamps like X25519: keys differing only in clamped bits share a public key', () => {
    const raw = Buffer.from('0HpE4BNwGHabeaC4aY/GFxB6fBSc0d49Db0qAzRVSVc=', 'base64');
    const unclamped = Buffer.from(raw);
    unclamped[0] = (unclamped[0] ?? 0) | 0x07;
    unclamped[31] = ((unclamped[31] ?? 0) & 0x7f) | 0x80;
    assert.equal(wireguardPublicKey(unclamped.toString('base64')), '9GCzWfGEkeM855tl2kjVtE+MnzHBkv1sJi4+Swo1c2E=');
  });

  test('different private keys give different public keys', () => {
    const a = wireguardPublicKey(Buffer.alloc(32, 1).toString('base64'));
    const b = wireguardPublicKey(Buffer.alloc(32, 2).toString('base64'));
    assert.notEqual(a, b);
  });

  test('a generated pair is two valid keys that belong together', () => {
    const { privateKey, publicKey } = generateWireguardKeyPair();
    assert.equal(formatRules['wireguard-key'].check(privateKey), true, privateKey);
    assert.equal(formatRules['wireguard-key'].check(publicKey), true, publicKey);
    assert.equal(wireguardPublicKey(privateKey), publicKey);
    assert.notEqual(generateWireguardKeyPair().privateKey, privateKey);
  });
});
