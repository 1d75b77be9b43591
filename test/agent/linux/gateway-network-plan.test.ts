import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayLayout } from '../../../src/agent/gateway-layout.ts';
import { planGatewayNetwork, type ObservedGatewayNamespace, type ObservedHost, type Step, type UplinkLease } from '../../../src/agent/linux/gateway-network-plan.ts';
import { parseDefaultRoute, parseFirewall, parseLinks } from '../../../src/agent/linux/gateway-network.ts';
import { giveBackSteps, relinkSteps, resolveUplink } from '../../../src/agent/linux/uplink-lease.ts';
import { assertGolden } from '../../render/golden.ts';
import { wireguardGateway } from '../support/desired-gateways.ts';

const gw = { ...wireguardGateway, connections: wireguardGateway.connections.map((c) => ({ ...c, hostInterface: 'eth1' })) };
const layout = gatewayLayout(gw, 'libipsec');
const lease: UplinkLease = { address: '203.0.113.5', prefixLength: 24, hostInterface: 'eth0' };
const host: ObservedHost = {
  links: [{ name: 'eth0', up: true, addresses: ['203.0.113.2/24', '203.0.113.5/24'] }, { name: 'eth1', up: true, addresses: [] }],
  defaultRoute: { via: '203.0.113.254', dev: 'eth0' },
};
const hostAfter: ObservedHost = { ...host, links: [{ name: 'eth0', up: true, addresses: ['203.0.113.2/24'] }, { name: 'eth1', up: true, addresses: [] }] };
const converged: ObservedGatewayNamespace = {
  exists: true, sysctlsSet: true, defaultVia: '203.0.113.254',
  links: [
    { name: 'lo', up: true, addresses: [] },
    { name: layout.uplinkLeg, up: true, addresses: ['203.0.113.5/24'] },
    ...layout.lanLegs.map((leg) => ({ name: leg.name, up: true, addresses: leg.addresses })),
  ],
  firewall: { hash: layout.firewall.hash, ruleCount: layout.firewall.ruleCount },
};

const lines = (steps: Step[]) => `${steps.map((s) => `[${s.where}] ${s.command} ${s.args.join(' ')}${s.input !== undefined ? ' < ruleset' : ''}`).join('\n')}\n`;

test('a new gateway: namespace, forwarding, the uplink leg taking the gatewayIP from the host, a leg per LAN, then the firewall', () => {
  assertGolden('gateway-network-new.steps', lines(planGatewayNetwork(layout, lease, host, { exists: false, links: [], sysctlsSet: false })));
});

test('a converged gateway needs no step at all', () => {
  assert.deepEqual(planGatewayNetwork(layout, lease, hostAfter, converged), []);
});

test('drift is repaired by exactly the missing pieces: a flushed firewall, a removed address, a downed leg, a stray leg', () => {
  const flushed = { ...converged, firewall: { hash: layout.firewall.hash, ruleCount: 0 } };
  assert.deepEqual(planGatewayNetwork(layout, lease, hostAfter, flushed).map((s) => s.command), ['nft']);
  assert.deepEqual(planGatewayNetwork(layout, lease, hostAfter, { ...converged, firewall: undefined }).map((s) => s.command), ['nft']);
  const leg = layout.lanLegs[0];
  assert.ok(leg);
  const lost = { ...converged, links: converged.links.map((l) => (l.name === leg.name ? { ...l, up: false, addresses: [] } : l)) };
  assert.deepEqual(planGatewayNetwork(layout, lease, hostAfter, lost).map((s) => s.args.join(' ')), [
    ...leg.addresses.map((a) => `addr add ${a} dev ${leg.name}${a.includes(':') ? ' nodad' : ''}`), `link set ${leg.name} up`,
  ]);
  const stray = { ...converged, links: [...converged.links, { name: 'vl0000000000000', up: true, addresses: ['10.0.0.1/24'] }] };
  assert.deepEqual(planGatewayNetwork(layout, lease, hostAfter, stray).map((s) => s.args.join(' ')), ['link del vl0000000000000']);
});

test('a leg left in the host namespace by an interrupted pass is deleted before it is made again', () => {
  const stranded = { ...hostAfter, links: [...hostAfter.links, { name: layout.uplinkLeg, up: false, addresses: [] }] };
  const steps = planGatewayNetwork(layout, lease, stranded, { ...converged, links: converged.links.filter((l) => l.name !== layout.uplinkLeg) });
  assert.deepEqual(steps.slice(0, 3).map((s) => `${s.where} ${s.args.slice(0, 3).join(' ')}`), [
    `host link del ${layout.uplinkLeg}`, `host link add ${layout.uplinkLeg}`, `host link set ${layout.uplinkLeg}`,
  ]);
});

test('the gatewayIP is taken from the host interface that holds it, kept once taken, and given back', () => {
  assert.deepEqual(resolveUplink(gw.id, '203.0.113.5', {}, host), { lease });
  assert.deepEqual(resolveUplink(gw.id, '203.0.113.5', { [gw.id]: lease }, hostAfter), { lease });
  assert.deepEqual(giveBackSteps(lease, hostAfter).map((s) => s.args.join(' ')), ['addr add 203.0.113.5/24 dev eth0']);
  assert.deepEqual(giveBackSteps(lease, host), [], 'nothing to give back when the host holds it');
  assert.deepEqual(giveBackSteps(lease, { links: [] }), [], 'nor when its interface is gone');
});

test('a gatewayIP is one gateway\'s: another gateway\'s is refused without naming it; an address the host lacks is refused', () => {
  const other = '99999999-9999-4999-8999-999999999999';
  const taken = resolveUplink(gw.id, '203.0.113.5', { [other]: lease }, hostAfter);
  assert.deepEqual(taken, { error: 'The gatewayIP 203.0.113.5 is already in use by another gateway on this host.' });
  assert.doesNotMatch(JSON.stringify(taken), new RegExp(other));
  assert.deepEqual(resolveUplink(gw.id, '198.51.100.9', {}, host), { error: 'The gatewayIP 198.51.100.9 is not an address of this host.' });
  assert.match(JSON.stringify(resolveUplink(gw.id, '203.0.113.5', { [gw.id]: lease }, { links: [] })), /interface eth0 .* is missing/);
});

test('a changed gatewayIP takes the new address and gives the old one back', () => {
  const moved = resolveUplink(gw.id, '203.0.113.2', { [gw.id]: lease }, hostAfter);
  assert.deepEqual(moved, { lease: { address: '203.0.113.2', prefixLength: 24, hostInterface: 'eth0' }, giveBack: lease });
});

test('observations: ip -j addr, ip -j route and nft -j output', () => {
  const links = parseLinks(JSON.stringify([
    { ifname: 'lo', flags: ['LOOPBACK', 'UP'], addr_info: [{ local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
    { ifname: 'vu1', flags: ['BROADCAST', 'UP'], addr_info: [{ local: '203.0.113.5', prefixlen: 24, scope: 'global' }, { local: 'fe80::1', prefixlen: 64, scope: 'link' }, { local: '2001:0db8::0005', prefixlen: 64, scope: 'global' }] },
    { ifname: 'vl1', flags: ['BROADCAST'] },
  ]));
  assert.deepEqual(links, [
    { name: 'lo', up: true, addresses: [] }, { name: 'vu1', up: true, addresses: ['203.0.113.5/24', '2001:db8::5/64'] }, { name: 'vl1', up: false, addresses: [] },
  ]);
  assert.deepEqual(parseDefaultRoute('[{"dst":"default","gateway":"203.0.113.254","dev":"eth0"}]'), { via: '203.0.113.254', dev: 'eth0' });
  assert.equal(parseDefaultRoute('[]'), undefined);
  const nft = { nftables: [{ metainfo: {} }, { table: {} }, { rule: { comment: 'vpngw 0123abcd' } }, { rule: {} }, { rule: {} }] };
  assert.deepEqual(parseFirewall(JSON.stringify(nft)), { hash: '0123abcd', ruleCount: 3 });
  assert.deepEqual(parseFirewall('{"nftables":[{"table":{}}]}'), { ruleCount: 0 });
});

// A delegated block 192.0.2.64/28 routed on-link to eth0; the host itself is 203.0.113.2/24 there.
const block = { cidr: '192.0.2.64/28' };
const delegated: UplinkLease = { address: '192.0.2.70', prefixLength: 32, hostInterface: 'eth0', delegated: true };

test('a gatewayIP no interface holds is assigned from a delegated block, as a /32 on the block\'s interface or the default route\'s', () => {
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.70', {}, hostAfter, [block]), { lease: delegated });
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.70', { [gw.id]: delegated }, hostAfter, [block]), { lease: delegated }, 'kept on the next pass');
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.70', {}, hostAfter, [{ ...block, interface: 'eth1' }]), { lease: { ...delegated, hostInterface: 'eth1' } });
  // An IPv6 address leaves by the IPv6 default route's interface, whichever the IPv4 one takes.
  const ipv6Elsewhere = { ...hostAfter, defaultRoute6: { via: 'fe80::1', dev: 'eth1' } };
  assert.deepEqual(resolveUplink(gw.id, '2001:db8:5::0a', {}, ipv6Elsewhere, [{ cidr: '2001:db8:5::/64' }]),
    { lease: { address: '2001:db8:5::a', prefixLength: 128, hostInterface: 'eth1', delegated: true } });
  assert.deepEqual(resolveUplink(gw.id, '2001:db8:5::a', {}, hostAfter, [{ cidr: '2001:db8:5::/64' }]),
    { error: 'The gatewayIP 2001:db8:5::a lies in the delegated block 2001:db8:5::/64, which names no interface, and this host has no IPv6 default route to take its interface from.' });
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.80', {}, hostAfter, [block]), { error: 'The gatewayIP 192.0.2.80 is not an address of this host.' });
});

test('a delegated block without interface needs the host\'s default route; a missing block interface is named', () => {
  const noRoute = resolveUplink(gw.id, '192.0.2.70', {}, { links: hostAfter.links }, [block]);
  assert.deepEqual(noRoute, { error: 'The gatewayIP 192.0.2.70 lies in the delegated block 192.0.2.64/28, which names no interface, and this host has no IPv4 default route to take its interface from.' });
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.70', {}, hostAfter, [{ ...block, interface: 'eth9' }]),
    { error: 'The interface eth9 of the delegated block 192.0.2.64/28 (gatewayIP 192.0.2.70) is missing on this host.' });
});

test('an interface holding the address wins over a block; two gateways never share a delegated address', () => {
  const onHost = { ...hostAfter, links: [{ name: 'eth0', up: true, addresses: ['203.0.113.2/24', '192.0.2.70/24'] }] };
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.70', {}, onHost, [block]), { lease: { address: '192.0.2.70', prefixLength: 24, hostInterface: 'eth0' } });
  const other = '99999999-9999-4999-8999-999999999999';
  assert.deepEqual(resolveUplink(gw.id, '192.0.2.70', { [other]: delegated }, hostAfter, [block]),
    { error: 'The gatewayIP 192.0.2.70 is already in use by another gateway on this host.' });
});

test('a delegated address is never given back: it was not the host\'s, and goes with the namespace', () => {
  assert.deepEqual(giveBackSteps(delegated, hostAfter), []);
  const moved = resolveUplink(gw.id, '192.0.2.71', { [gw.id]: delegated }, hostAfter, [block]);
  assert.deepEqual(moved, { lease: { ...delegated, address: '192.0.2.71' }, giveBack: delegated });
  assert.deepEqual(giveBackSteps(delegated, hostAfter), []);
  const toHost = resolveUplink(gw.id, '203.0.113.2', { [gw.id]: delegated }, hostAfter, [block]);
  assert.deepEqual(toHost, { lease: { address: '203.0.113.2', prefixLength: 24, hostInterface: 'eth0' }, giveBack: delegated });
});

test('a delegated gateway: the uplink leg gets the /32, nothing is taken from the host, the default route is on-link', () => {
  assertGolden('gateway-network-delegated.steps', lines(planGatewayNetwork(layout, delegated, hostAfter, { exists: false, links: [], sysctlsSet: false })));
  const steps = planGatewayNetwork(layout, delegated, hostAfter, { exists: false, links: [], sysctlsSet: false });
  assert.ok(!steps.some((s) => s.where === 'host' && s.args.includes('del')), 'no address is deleted on the host');
  assert.ok(steps.some((s) => s.args.join(' ') === `route replace default via 203.0.113.254 dev ${layout.uplinkLeg} onlink`));
  const convergedDelegated = { ...converged, links: converged.links.map((l) => (l.name === layout.uplinkLeg ? { ...l, addresses: ['192.0.2.70/32'] } : l)) };
  assert.deepEqual(planGatewayNetwork(layout, delegated, hostAfter, convergedDelegated), []);
  // Drift: the address was removed from the leg.
  const lost = { ...converged, links: converged.links.map((l) => (l.name === layout.uplinkLeg ? { ...l, addresses: [] } : l)) };
  assert.deepEqual(planGatewayNetwork(layout, delegated, hostAfter, lost).map((s) => s.args.join(' ')), [`addr add 192.0.2.70/32 dev ${layout.uplinkLeg}`]);
});

test('a delegated IPv6 address: a /128 and the host\'s IPv6 default route, on-link; none when the route leaves by another interface', () => {
  const lease6: UplinkLease = { address: '2001:db8:5::a', prefixLength: 128, hostInterface: 'eth0', delegated: true };
  const host6: ObservedHost = { ...hostAfter, defaultRoute6: { via: 'fe80::1', dev: 'eth0' } };
  const steps = planGatewayNetwork(layout, lease6, host6, { exists: false, links: [], sysctlsSet: false }).map((s) => s.args.join(' '));
  assert.ok(steps.includes(`addr add 2001:db8:5::a/128 dev ${layout.uplinkLeg} nodad`));
  assert.ok(steps.includes(`-6 route replace default via fe80::1 dev ${layout.uplinkLeg} onlink`));
  const converged6 = { ...converged, defaultVia6: 'fe80::1', links: converged.links.map((l) => (l.name === layout.uplinkLeg ? { ...l, addresses: ['2001:db8:5::a/128'] } : l)) };
  assert.deepEqual(planGatewayNetwork(layout, lease6, host6, converged6), []);
  const elsewhere = { ...host6, defaultRoute6: { via: 'fe80::1', dev: 'eth1' } };
  assert.ok(!planGatewayNetwork(layout, lease6, elsewhere, { exists: false, links: [], sysctlsSet: false }).some((s) => s.args.includes('-6')));
  assert.ok(!planGatewayNetwork(layout, lease, { ...host, defaultRoute6: { via: 'fe80::1', dev: 'eth0' } }, { exists: false, links: [], sysctlsSet: false }).some((s) => s.args.includes('-6')),
    'an IPv4 gatewayIP gets no IPv6 default route');
});

test('an IPv6 gatewayIP taken from the host: the host\'s IPv6 default route through its interface, a link-local next hop as is', () => {
  const lease6: UplinkLease = { address: '2001:db8:7::5', prefixLength: 64, hostInterface: 'eth0' };
  const host6: ObservedHost = {
    links: [{ name: 'eth0', up: true, addresses: ['203.0.113.2/24', '2001:db8:7::2/64', '2001:db8:7::5/64'] }, { name: 'eth1', up: true, addresses: [] }],
    defaultRoute: { via: '203.0.113.254', dev: 'eth0' },
    defaultRoute6: { via: 'fe80::1', dev: 'eth0' },
  };
  assert.deepEqual(resolveUplink(gw.id, '2001:db8:7:0::5', {}, host6), { lease: lease6 });
  const fresh = planGatewayNetwork(layout, lease6, host6, { exists: false, links: [], sysctlsSet: false });
  assertGolden('gateway-network-ipv6.steps', lines(fresh));
  const args = fresh.map((s) => s.args.join(' '));
  assert.ok(args.includes(`-6 route replace default via fe80::1 dev ${layout.uplinkLeg}`), 'no onlink: the address\'s /64 or the link-local next hop is on the link');
  assert.ok(!args.some((a) => a.startsWith('route replace')), 'an IPv6 gatewayIP gets no IPv4 default route');
  const host6After: ObservedHost = { ...host6, links: [{ name: 'eth0', up: true, addresses: ['203.0.113.2/24', '2001:db8:7::2/64'] }, { name: 'eth1', up: true, addresses: [] }] };
  assert.deepEqual(resolveUplink(gw.id, '2001:db8:7::5', { [gw.id]: lease6 }, host6After), { lease: lease6 }, 'kept once taken');
  const legWith = (addresses: string[]) => converged.links.map((l) => (l.name === layout.uplinkLeg ? { ...l, addresses } : l));
  const converged6: ObservedGatewayNamespace = { ...converged, defaultVia6: 'fe80::1', links: legWith(['2001:db8:7::5/64']) };
  assert.deepEqual(planGatewayNetwork(layout, lease6, host6After, converged6), [], 'a pass with nothing changed adds no step');
  const { defaultVia6: _dropped, ...routeLost } = converged6;
  assert.deepEqual(planGatewayNetwork(layout, lease6, host6After, routeLost).map((s) => `${s.where} ${s.args.join(' ')}`),
    [`gateway -6 route replace default via fe80::1 dev ${layout.uplinkLeg}`], 'a deleted route comes back alone');
  const newRouter = { ...host6After, defaultRoute6: { via: 'fe80::2', dev: 'eth0' } };
  assert.deepEqual(planGatewayNetwork(layout, lease6, newRouter, converged6).map((s) => s.args.join(' ')),
    [`-6 route replace default via fe80::2 dev ${layout.uplinkLeg}`], 'a changed next hop on the host is followed');
  const elsewhere = { ...host6After, defaultRoute6: { via: 'fe80::1', dev: 'eth1' } };
  assert.deepEqual(planGatewayNetwork(layout, lease6, elsewhere, routeLost), [], 'none when the host\'s route leaves by another interface');
  const { defaultRoute6: _none, ...noRoute6 } = host6After;
  assert.deepEqual(planGatewayNetwork(layout, lease6, noRoute6, routeLost), [], 'none when the host has no IPv6 default route');
});

test('a lease that moves to another host interface has the uplink leg made again on it', () => {
  const onEth1 = resolveUplink(gw.id, '192.0.2.70', { [gw.id]: delegated }, { ...hostAfter, defaultRoute: { via: '198.51.100.1', dev: 'eth1' } }, [block]);
  assert.ok('lease' in onEth1);
  assert.equal(onEth1.lease.hostInterface, 'eth1');
  assert.deepEqual(relinkSteps(delegated, onEth1.lease, layout.uplinkLeg).map((s) => `${s.where} ${s.args.join(' ')}`), [`gateway link del ${layout.uplinkLeg}`]);
  assert.deepEqual(relinkSteps(delegated, delegated, layout.uplinkLeg), []);
  assert.deepEqual(relinkSteps(undefined, delegated, layout.uplinkLeg), []);
});
