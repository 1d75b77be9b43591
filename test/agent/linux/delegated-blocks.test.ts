import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delegatedBlockOf, parseDelegatedBlock } from '../../../src/agent/linux/delegated-blocks.ts';
import { ConfigError, loadConfig } from '../../../src/config.ts';

test('CIDR[=INTERFACE]: the interface is optional and checked; the message names the setting', () => {
  assert.deepEqual(parseDelegatedBlock('203.0.113.0/28', '--x'), { cidr: '203.0.113.0/28' });
  assert.deepEqual(parseDelegatedBlock('2001:db8::/64=ens3', '--x'), { cidr: '2001:db8::/64', interface: 'ens3' });
  for (const raw of ['203.0.113.0', '203.0.113.0/33', 'eth0=203.0.113.0/28', '203.0.113.0/28=', '203.0.113.0/28=a b', '203.0.113.0/28=eth0=eth1']) {
    const parsed = parseDelegatedBlock(raw, '--x');
    assert.ok('error' in parsed && parsed.error.startsWith('--x: '), raw);
  }
  assert.deepEqual(delegatedBlockOf([{ cidr: '203.0.113.0/28' }, { cidr: '192.0.2.64/28', interface: 'eth1' }], '192.0.2.70'), { cidr: '192.0.2.64/28', interface: 'eth1' });
  assert.equal(delegatedBlockOf([{ cidr: '203.0.113.0/28' }], '2001:db8::1'), undefined);
});

test('vpngw serve takes VPNGW_DELEGATED_BLOCKS (--delegated-block) with the linux driver only', () => {
  assert.deepEqual(loadConfig(['--driver', 'linux', '--delegated-block', '192.0.2.64/28=eth0,198.51.100.0/24'], {}).delegatedBlocks,
    [{ cidr: '192.0.2.64/28', interface: 'eth0' }, { cidr: '198.51.100.0/24' }]);
  assert.deepEqual(loadConfig([], {}).delegatedBlocks, []);
  assert.throws(() => loadConfig([], { VPNGW_DRIVER: 'linux', VPNGW_DELEGATED_BLOCKS: '192.0.2.64/28=bad name' }), (e: Error) => e instanceof ConfigError && /^VPNGW_DELEGATED_BLOCKS: /.test(e.message));
  assert.throws(() => loadConfig([], { VPNGW_DELEGATED_BLOCKS: '192.0.2.64/28' }), /applies only to the linux driver/);
});
