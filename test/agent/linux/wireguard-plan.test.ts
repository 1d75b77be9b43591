import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEmptyPlan, parseWgDump, planWireguard, wgSetArgs } from '../../../src/agent/linux/wireguard-plan.ts';
import type { DesiredWireguardGateway } from '../../../src/domain/desired-state.ts';
import { wireguardPublicKey } from '../../../src/domain/wireguard-keys.ts';

const privateKey = 'iNEJXWkckRB6k4Xemih9Dawe7dJLptVKgtf1pzf2X3s=';
const publicKey = wireguardPublicKey(privateKey);
const peerA = 'KoC/hPG1Xe2TsCbmRro0tER3ujdPtC++Zqw9PF8f3Cc=';
const peerB = '1t50lSvS6aTYQTJj3xZXdanj6iYjdvpb/4ueeZks1g0=';
const peerC = 'BtmARrxI+RD4XSpkNQ5Y2CCmz6YYLw3NSbc3QAYsGx0=';

function gateway(peers: DesiredWireguardGateway['peers']): DesiredWireguardGateway {
  return { kind: 'wireguard', id: '6f1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d', generation: 1, gatewayIP: '192.0.2.1', listenPort: 51820, privateKey, interfaceIPv4CIDR: '10.7.0.1/24', connections: [], peers };
}

const dump = [
  `${privateKey}\t${publicKey}\t51820\toff`,
  `${peerA}\t(none)\t192.0.2.2:51820\t10.7.0.2/32\t1700000000\t1000\t2000\toff`,
  `${peerB}\t(none)\t(none)\t10.7.0.3/32,2001:db8::3/128\t0\t0\t0\toff`,
].join('\n');

test('parseWgDump reads the interface and each peer, and drops the private key', () => {
  const observed = parseWgDump(dump);
  assert.equal(observed.publicKey, publicKey);
  assert.equal(observed.listenPort, 51820);
  assert.deepEqual(observed.peers.map((p) => [p.publicKey, p.endpoint, p.allowedIPs, p.latestHandshake, p.rxBytes, p.txBytes]), [
    [peerA, '192.0.2.2:51820', ['10.7.0.2/32'], 1700000000, 1000, 2000],
    [peerB, null, ['10.7.0.3/32', '2001:db8::3/128'], 0, 0, 0],
  ]);
  assert.ok(!JSON.stringify(observed).includes(privateKey));
});

test('an interface that matches desired needs no change at all', () => {
  const desired = gateway([
    { id: 'a', publicKey: peerA, allowedIPs: ['10.7.0.2/32'], endpoint: { host: '192.0.2.2', port: 51820 } },
    { id: 'b', publicKey: peerB, allowedIPs: ['2001:db8:0::3/128', '10.7.0.3/32'] },
  ]);
  assert.ok(isEmptyPlan(planWireguard(desired, publicKey, parseWgDump(dump))));
});

test('adding one peer sets only that peer; the others are not touched', () => {
  const desired = gateway([
    { id: 'a', publicKey: peerA, allowedIPs: ['10.7.0.2/32'], endpoint: { host: '192.0.2.2', port: 51820 } },
    { id: 'b', publicKey: peerB, allowedIPs: ['10.7.0.3/32', '2001:db8::3/128'] },
    { id: 'c', publicKey: peerC, allowedIPs: ['10.7.0.4/32'], endpoint: { host: '2001:db8:0::4', port: 1234 } },
  ]);
  const plan = planWireguard(desired, publicKey, parseWgDump(dump));
  assert.deepEqual(plan, { setPrivateKey: false, removePeers: [], setPeers: [{ publicKey: peerC, allowedIPs: ['10.7.0.4/32'], endpoint: '[2001:db8::4]:1234' }] });
  assert.deepEqual(wgSetArgs('vg0', plan, '/k'), ['set', 'vg0', 'peer', peerC, 'allowed-ips', '10.7.0.4/32', 'endpoint', '[2001:db8::4]:1234']);
});

test('removing a peer and changing another peer\'s allowed IPs touch only those two', () => {
  const desired = gateway([{ id: 'b', publicKey: peerB, allowedIPs: ['10.7.0.33/32'] }]);
  const plan = planWireguard(desired, publicKey, parseWgDump(dump));
  assert.deepEqual(plan.removePeers, [peerA]);
  assert.deepEqual(plan.setPeers, [{ publicKey: peerB, allowedIPs: ['10.7.0.33/32'] }]);
});

test('a roaming peer without a configured endpoint keeps what wg learned', () => {
  const desired = gateway([
    { id: 'a', publicKey: peerA, allowedIPs: ['10.7.0.2/32'] },
    { id: 'b', publicKey: peerB, allowedIPs: ['10.7.0.3/32', '2001:db8::3/128'] },
  ]);
  assert.ok(isEmptyPlan(planWireguard(desired, publicKey, parseWgDump(dump))));
});

test('host bits in allowed IPs compare as the network wg stores', () => {
  const observed = parseWgDump(`${privateKey}\t${publicKey}\t51820\toff\n${peerA}\t(none)\t(none)\t10.9.0.0/24\t0\t0\t0\toff`);
  assert.ok(isEmptyPlan(planWireguard(gateway([{ id: 'a', publicKey: peerA, allowedIPs: ['10.9.0.7/24'] }]), publicKey, observed)));
});

test('a fresh interface gets the key from a file, the port, and every peer, in one wg set', () => {
  const plan = planWireguard(gateway([{ id: 'a', publicKey: peerA, allowedIPs: [] }]), publicKey, parseWgDump('(none)\t(none)\t40000\toff'));
  const args = wgSetArgs('vg0', plan, '/state/vg0.key');
  assert.deepEqual(args, ['set', 'vg0', 'listen-port', '51820', 'private-key', '/state/vg0.key', 'peer', peerA, 'allowed-ips', '']);
  assert.ok(!args.includes(privateKey));
});
