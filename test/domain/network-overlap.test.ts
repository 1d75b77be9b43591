import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstNetworkClash, networksOverlap } from '../../src/domain/network-overlap.ts';

test('networks overlap when one contains the other, in either order and either family; disjoint ones do not', () => {
  assert.equal(networksOverlap('10.0.0.2/32', '10.0.0.0/24'), true);
  assert.equal(networksOverlap('10.0.0.0/24', '10.0.0.2'), true);
  assert.equal(networksOverlap('10.0.0.0/24', '10.0.0.0/24'), true);
  assert.equal(networksOverlap('0.0.0.0/0', '192.0.2.1/32'), true);
  assert.equal(networksOverlap('10.0.1.0/24', '10.0.0.0/24'), false);
  assert.equal(networksOverlap('2001:db8::/64', '2001:db8::7/128'), true);
  assert.equal(networksOverlap('2001:db8:1::/64', '2001:db8::/64'), false);
  assert.equal(networksOverlap('10.0.0.0/8', '::/0'), false, 'families never meet');
  assert.equal(networksOverlap('::ffff:10.0.0.5/128', '10.0.0.0/24'), true, 'an IPv4-mapped spelling is the IPv4 network');
});

test('the first clash names the sibling and both networks', () => {
  const siblings = [{ id: 'a', networks: ['10.0.0.2/32'] }, { id: 'b', networks: ['10.0.1.0/24', '2001:db8::/64'] }];
  assert.deepEqual(firstNetworkClash(['10.0.2.0/24', '2001:db8::5/128'], siblings), { siblingId: 'b', mine: '2001:db8::5/128', theirs: '2001:db8::/64' });
  assert.equal(firstNetworkClash(['10.0.3.0/24'], siblings), undefined);
});
