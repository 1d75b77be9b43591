import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatRules, isUuid } from '../../src/domain/formats.ts';
import type { FormatName } from '../../src/schemas/formats.ts';

const ZERO_KEY = Buffer.alloc(32).toString('base64');

const table: Record<FormatName, { valid: string[]; invalid: string[] }> = {
  uuid: {
    valid: ['5a029f4a-72e5-11ec-90d6-0242ac120003', '5A029F4A-72E5-11EC-90D6-0242AC120003'],
    invalid: ['', '5a029f4a72e511ec90d60242ac120003', '{5a029f4a-72e5-11ec-90d6-0242ac120003}', '5a029f4a-72e5-11ec-90d6-0242ac12000', 'not-a-uuid'],
  },
  'ip-address': {
    valid: ['192.0.2.1', '0.0.0.0', '255.255.255.255', '2001:db8::1', '::', '::ffff:192.0.2.1'],
    invalid: ['', '192.0.2.1/32', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '0x7f.0.0.1', ' 192.0.2.1', 'fe80::1%eth0', 'vpn.example.com', '2001:db8::/64'],
  },
  'ipv4-cidr': {
    valid: ['172.16.0.1/24', '10.0.0.0/0', '10.0.0.0/32', '0.0.0.0/0'],
    invalid: ['172.16.0.1', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/+1', '10.0.0.0/-1', '10.0.0.0/1/2', '10.0.0.0/ 8', 'fd00::1/64', '300.0.0.0/8', '/24'],
  },
  'ipv6-cidr': {
    valid: ['fd00::1/64', '::/0', 'fd00::/128', '2001:db8::/32'],
    invalid: ['fd00::1', 'fd00::/129', '10.0.0.0/8', 'fd00::1%eth0/64', 'gggg::/64'],
  },
  cidr: {
    valid: ['10.0.0.0/8', '0.0.0.0/0', '::/0', 'fd00::/8'],
    invalid: ['10.0.0.1', 'fd00::1', '10.0.0.0/33', '::/129', 'any'],
  },
  'wireguard-key': {
    valid: [ZERO_KEY, '0HpE4BNwGHabeaC4aY/GFxB6fBSc0d49Db0qAzRVSVc=', '9GCzWfGEkeM855tl2kjVtE+MnzHBkv1sJi4+Swo1c2E='],
    invalid: [
      '', ZERO_KEY.slice(0, 43), `${ZERO_KEY}=`, Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'),
      `${'!'.repeat(43)}=`, `${'_'.repeat(43)}=`, Buffer.alloc(32, 0xff).toString('base64url'),
      // Same 32 bytes as ZERO_KEY, but with the spare bits of the last character set: not the canonical spelling.
      `${'A'.repeat(42)}B=`,
    ],
  },
  'host-or-ip': {
    valid: ['localhost', 'vpn.example.com', 'example.com.', 'xn--bcher-kva.example', '198.51.100.7', '2001:db8::7', 'a-b.example'],
    invalid: ['', '-bad.example', 'bad-.example', 'a_b.example', `${'x'.repeat(64)}.com`, 'a..b', '1.2.3', '198.51.100.0/24', 'vpn example.com', 'host:51820', `${'a.'.repeat(127)}ab`],
  },
  'ipv4-or-fqdn': {
    valid: ['203.0.113.1', 'vpn.example.com', 'example.com.'],
    invalid: ['', 'localhost', '2001:db8::1', '999.1.1.1', '.example.com', '203.0.113.0/24', 'vpn_site.example.com'],
  },
  'time-of-day': {
    valid: ['00:00:00', '23:59:59', '12:30:05'],
    invalid: ['', '24:00:00', '10:60:00', '10:00:60', '10:00', '1:00:00', '10:00:00Z', '10:00:00.000'],
  },
  email: {
    valid: ['admin@example.com', 'a.b+c@sub.example.org'],
    invalid: ['', 'a@b', 'a b@c.d', '@b.c', 'a@', `${'a'.repeat(250)}@b.cd`],
  },
};

describe('formatRules', () => {
  for (const [name, { valid, invalid }] of Object.entries(table) as [FormatName, { valid: string[]; invalid: string[] }][]) {
    test(`${name}: accepts what it should, refuses the edge cases`, () => {
      const rule = formatRules[name];
      for (const s of valid) assert.equal(rule.check(s), true, `${name} should accept ${JSON.stringify(s)}`);
      for (const s of invalid) assert.equal(rule.check(s), false, `${name} should refuse ${JSON.stringify(s)}`);
    });
  }

  test('every format has a human description for error messages', () => {
    for (const [name, rule] of Object.entries(formatRules)) {
      assert.ok(rule.expected.length > 5, name);
      assert.doesNotMatch(rule.expected, /[{}]|undefined/, name);
    }
  });

  test('isUuid is the uuid rule', () => {
    assert.equal(isUuid('5a029f4a-72e5-11ec-90d6-0242ac120003'), true);
    assert.equal(isUuid('../../etc/passwd'), false);
  });
});
