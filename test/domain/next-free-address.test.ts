import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextFreeHostAddress } from '../../src/domain/next-free-address.ts';

test('the next free host address skips the network, the gateway, used addresses and whole used networks', () => {
  assert.equal(nextFreeHostAddress('10.7.0.1/24', []), '10.7.0.2/32');
  assert.equal(nextFreeHostAddress('10.7.0.9/24', []), '10.7.0.1/32', 'the gateway need not hold the first address');
  assert.equal(nextFreeHostAddress('10.7.0.1/24', ['10.7.0.2/32', '10.7.0.3/32', '192.168.0.0/16']), '10.7.0.4/32');
  assert.equal(nextFreeHostAddress('10.7.0.1/24', ['10.7.0.0/25']), '10.7.0.128/32', 'a peer routing a network uses all of it');
  assert.equal(nextFreeHostAddress('10.7.0.1/24', ['10.0.0.0/8']), undefined);
  assert.equal(nextFreeHostAddress('10.7.0.1/30', ['10.7.0.2/32']), undefined, 'no broadcast address');
  assert.equal(nextFreeHostAddress('10.7.0.0/31', []), '10.7.0.1/32', 'a /31 has no network or broadcast address');
  assert.equal(nextFreeHostAddress('fd00:7::1/64', ['fd00:7::2/128', '10.7.0.3/32']), 'fd00:7::3/128');
  assert.equal(nextFreeHostAddress('fd00:7::1/126', ['fd00:7::2/127']), undefined);
  assert.equal(nextFreeHostAddress('not a network', []), undefined);
});
