import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { cloudNetworkWithoutLanAddress, gatewayLayout, lanLegs } from '../../src/agent/gateway-layout.ts';
import { renderNetworkFile } from '../../src/agent/files-driver.ts';
import { hasExecutable } from '../../src/agent/linux/prerequisites.ts';
import { disjointNetworks } from '../../src/render/gateway-firewall.ts';
import { assertGolden } from '../render/golden.ts';
import { DC, ipsecGateway, wireguardGateway } from './support/desired-gateways.ts';
import { isCi } from '../support/ci.ts';

test('a WireGuard gateway forwards only between its peers\' allowed IPs and each LAN leg\'s networks, and answers only its listen port', () => {
  assertGolden('wireguard-gateway.nft', renderNetworkFile(wireguardGateway));
});

test('an IPSec gateway forwards only between each tunnel\'s peer and cloud networks through the libipsec device, and answers only IKE and ESP', () => {
  assertGolden('ipsec-gateway.nft', renderNetworkFile(ipsecGateway));
  const xfrm = gatewayLayout(ipsecGateway, 'xfrm').firewall.text;
  assert.match(xfrm, /meta secpath exists/, 'with kernel ESP, decrypted traffic is told apart by its secpath');
  assert.doesNotMatch(xfrm, /ipsec0/);
});

test('the ruleset changes, and so does its marker, whenever a declared network does; the same input renders the same bytes', () => {
  const base = gatewayLayout(wireguardGateway, 'libipsec').firewall;
  assert.deepEqual(gatewayLayout(structuredClone(wireguardGateway), 'libipsec').firewall, base);
  const morePeers = { ...wireguardGateway, peers: [...wireguardGateway.peers, { id: 'p3', publicKey: 'k', allowedIPs: ['10.9.5.9/32'] }] };
  const changed = gatewayLayout(morePeers, 'libipsec').firewall;
  assert.notEqual(changed.hash, base.hash);
  assert.match(changed.text, /10\.9\.5\.9/);
  assert.match(base.text, new RegExp(`comment "vpngw ${base.hash}"`));
});

test('a gateway without LAN legs forwards nothing at all', () => {
  const alone = gatewayLayout({ ...wireguardGateway, connections: [] }, 'libipsec').firewall.text;
  assert.doesNotMatch(alone, /iifname "vg[0-9a-f]+" oifname/);
  assert.match(alone, /chain forward \{\n\s+type filter hook forward priority filter; policy drop;\n\s+\}/);
});

test('connections to one LAN share a leg; every leg name is unique per gateway and LAN and fits Linux\'s 15 characters', () => {
  const legs = lanLegs('0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', [
    { datacenterId: DC, lanId: '2', ipv4CIDR: '192.168.1.100/24' },
    { datacenterId: DC.toUpperCase().toLowerCase(), lanId: '2', ipv4CIDR: '192.168.5.1/24' },
    { datacenterId: DC, lanId: '3', ipv4CIDR: '192.168.3.1/24' },
  ]);
  assert.equal(legs.length, 2);
  assert.deepEqual(legs.find((l) => l.lanId === '2')?.addresses, ['192.168.1.100/24', '192.168.5.1/24']);
  for (const leg of legs) assert.match(leg.name, /^vl[0-9a-f]{13}$/);
  assert.notEqual(lanLegs('1c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', [{ datacenterId: DC, lanId: '2' }])[0]?.name, legs[0]?.name);
});

test('nested prefixes collapse so nft never sees overlapping intervals; families stay apart', () => {
  assert.deepEqual(disjointNetworks(['10.9.0.3/32', '10.9.0.0/28', '10.9.0.5', '2001:db8::1/128', '172.16.4.0/22'], 'ipv4'), ['10.9.0.0/28', '172.16.4.0/22']);
  assert.deepEqual(disjointNetworks(['2001:db8::1/128', '2001:db8::/64', '10.0.0.0/8'], 'ipv6'), ['2001:db8::/64']);
});

test('with kernel-libipsec every cloud network must hold one of the gateway\'s LAN addresses', () => {
  const legs = lanLegs(ipsecGateway.id, ipsecGateway.connections);
  assert.equal(cloudNetworkWithoutLanAddress(ipsecGateway, legs)?.cidr, '192.168.1.128/25');
  const fixed = { ...ipsecGateway, tunnels: ipsecGateway.tunnels.map((t) => ({ ...t, cloudNetworkCIDRs: ['192.168.1.0/24'] })) };
  assert.equal(cloudNetworkWithoutLanAddress(fixed, legs), undefined);
  assert.equal(cloudNetworkWithoutLanAddress(wireguardGateway, []), undefined);
});

test('nft accepts the rendered rulesets (checked without applying them)', (t) => {
  if (!hasExecutable('nft') || process.getuid?.() !== 0) {
    if (isCi()) throw new Error('under CI, nft (Debian package nftables) or root is missing');
    process.stderr.write('\n!!! SKIPPING: the nft syntax check needs root and nft (Debian package nftables)\n\n');
    return t.skip('nft or root missing');
  }
  for (const gw of [wireguardGateway, ipsecGateway]) {
    for (const backend of ['libipsec', 'xfrm'] as const) {
      execFileSync('nft', ['--check', '-f', '-'], { input: gatewayLayout(gw, backend).firewall.text.replace(/^delete table.*\n/m, '') });
    }
  }
});
