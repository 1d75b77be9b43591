import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SecretBox } from '../../src/security/secret-box.ts';

const KEY = Buffer.alloc(32, 9);
const ID = '5a029f4a-72e5-11ec-90d6-0242ac120003';

describe('SecretBox', () => {
  test('round trip: what is sealed for an id opens for that id', () => {
    const box = new SecretBox(KEY);
    for (const secret of ['0HpE4BNwGHabeaC4aY/GFxB6fBSc0d49Db0qAzRVSVc=', 'psk with spaces and ünïcödé', '']) {
      assert.equal(box.open(box.seal(secret, ID), ID), secret);
    }
  });

  test('the sealed form hides the plaintext and differs each time (random nonce)', () => {
    const box = new SecretBox(KEY);
    const a = box.seal('tunnel-psk-not-for-logs', ID);
    const b = box.seal('tunnel-psk-not-for-logs', ID);
    assert.notEqual(a, b);
    assert.ok(!a.includes('tunnel-psk'));
    assert.ok(!Buffer.from(a.split(':')[1] ?? '', 'base64').includes(Buffer.from('tunnel-psk')));
    assert.match(a, /^v1:/);
  });

  test('a tampered ciphertext does not open', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret-value', ID);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    for (const index of [0, 14, raw.length - 1]) {
      const flipped = Buffer.from(raw);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      assert.throws(() => box.open(`v1:${flipped.toString('base64')}`, ID), `byte ${index} flipped`);
    }
  });

  test('a ciphertext bound to one id does not open for another (copied between rows)', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret-value', ID);
    assert.throws(() => box.open(sealed, '6b029f4a-72e5-11ec-90d6-0242ac120004'));
  });

  test('another key does not open it; unknown formats and bad keys are refused', () => {
    const sealed = new SecretBox(KEY).seal('secret-value', ID);
    assert.throws(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed, ID));
    assert.throws(() => new SecretBox(KEY).open(sealed.replace(/^v1:/, 'v2:'), ID), /Unknown secret format/);
    assert.throws(() => new SecretBox(KEY).open('plaintext', ID), /Unknown secret format/);
    assert.throws(() => new SecretBox(Buffer.alloc(16)), /32 bytes/);
  });
});
