import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generatePassword, hashPassword, verifyPassword } from '../../src/security/passwords.ts';

describe('passwords', () => {
  test('a hash verifies its password and nothing else', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword('correct horse battery staple', hash), true);
    assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  test('the hash is salted, self-describing, and does not contain the password', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.ok(!a.includes('same password'));
  });

  test('malformed or foreign stored hashes never verify', async () => {
    for (const stored of ['', 'plaintext', 'bcrypt$2b$10$abc', 'scrypt$16384$8$1$$', 'scrypt$16384$8$1$c2FsdA==']) {
      assert.equal(await verifyPassword('plaintext', stored), false, stored);
    }
  });

  test('generated passwords are long and different each time', () => {
    const a = generatePassword();
    assert.ok(a.length >= 20, a);
    assert.notEqual(generatePassword(), a);
  });
});
