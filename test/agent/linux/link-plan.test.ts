import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allAddresses, desiredRoutes, diffSets, parseIpAddrJson, parseIpRouteJson } from '../../../src/agent/linux/link-plan.ts';
import { wireguardInterfaceName } from '../../../src/agent/linux/names.ts';
import type { DesiredWireguardGateway } from '../../../src/domain/desired-state.ts';

const ipAddr = JSON.stringify([{ ifname: 'vg0', addr_info: [
  { family: 'inet', local: '10.7.0.1', prefixlen: 24, scope: 'global' },
  { family: 'inet6', local: '2001:db8:7:0::1', prefixlen: 64, scope: 'global' },
  { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
] }]);

test('interface addresses: global ones, canonically spelled; link-local ones are the kernel\'s', () => {
  assert.deepEqual(parseIpAddrJson(ipAddr), ['10.7.0.1/24', '2001:db8:7::1/64']);
  assert.deepEqual(allAddresses(ipAddr), ['10.7.0.1', '2001:db8:7::1', 'fe80::1']);
  assert.deepEqual(diffSets(['10.7.0.1/24', '2001:db8:8::1/64'], parseIpAddrJson(ipAddr)), { add: ['2001:db8:8::1/64'], remove: ['2001:db8:7::1/64'] });
});

test('routes: host routes print without a prefix length and compare as /32 and /128', () => {
  assert.deepEqual(parseIpRouteJson(JSON.stringify([{ dst: '10.50.0.0/24' }, { dst: '10.7.0.2' }, { dst: '2001:db8::2' }, { dst: 'default' }])),
    ['10.50.0.0/24', '10.7.0.2/32', '2001:db8::2/128']);
});

test('routes for allowed IPs leave out default routes, the connected subnet, and the underlay', () => {
  const gw: DesiredWireguardGateway = {
    kind: 'wireguard', id: '6f1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d', generation: 1, gatewayIP: '192.0.2.1', listenPort: 51820, privateKey: 'x',
    interfaceIPv4CIDR: '10.7.0.1/24',
    connections: [],
    peers: [
      { id: 'a', publicKey: 'A', allowedIPs: ['10.7.0.2/32', '10.50.0.9/24', '0.0.0.0/0'], endpoint: { host: '198.51.100.7', port: 51820 } },
      { id: 'b', publicKey: 'B', allowedIPs: ['198.51.100.0/24', '2001:db8:50::/48'] },
    ],
  };
  assert.deepEqual(desiredRoutes(gw), ['10.50.0.0/24', '2001:db8:50::/48']);
});

test('interface names are unique per gateway id and fit in 15 characters', () => {
  const name = wireguardInterfaceName('6F1C9A52-3b7e-4d21-9a0c-1e2f3a4b5c6d');
  assert.equal(name, wireguardInterfaceName('6f1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d'), 'case does not matter');
  assert.match(name, /^vg[0-9a-f]{13}$/);
  assert.ok(name.length <= 15);
  // Ids chosen by clients may share a long prefix; their interfaces must still differ.
  assert.notEqual(wireguardInterfaceName('00000000-0000-4000-8000-000000000001'), wireguardInterfaceName('00000000-0000-4000-8000-000000000002'));
  assert.throws(() => wireguardInterfaceName('../../etc'));
});
