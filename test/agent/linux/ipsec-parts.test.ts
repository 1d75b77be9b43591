import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planIpsecLoad, tunnelHashes } from '../../../src/agent/linux/ipsec-plan.ts';
import { missingPrerequisites } from '../../../src/agent/linux/prerequisites.ts';
import { renderStrongswanConf } from '../../../src/agent/linux/strongswan-conf.ts';
import { parseConnectionNames, parseIkeSas } from '../../../src/agent/linux/swanctl-parse.ts';
import type { DesiredIpsecGateway, DesiredIpsecTunnel } from '../../../src/domain/desired-state.ts';

const listSas = 'list-sa event {t-1 {uniqueid=2 version=2 state=ESTABLISHED local-host=192.0.2.1 remote-host=192.0.2.2 established=12 child-sas {t-1-3 {name=t-1 uniqueid=3 state=INSTALLED bytes-in=84 packets-in=1 bytes-out=168 packets-out=2 local-ts=[10.1.0.0/24] remote-ts=[10.2.0.0/24]}}}}\n'
  + 'list-sa event {t-2 {uniqueid=4 version=2 state=CONNECTING remote-host=192.0.2.77 child-sas {}}}\nlist-sas reply {}\n';
const listConns = 'list-conn event {t-1 {local_addrs=[192.0.2.1] version=IKEv2 local-1 {id=192.0.2.1 class=pre-shared key groups=[]} children {t-1 {mode=TUNNEL local-ts=[10.1.0.0/24]}}}}\n'
  + 'list-conn event {t-2 {local_addrs=[192.0.2.1] children {}}}\nlist-conns reply {}\n';

test('swanctl --list-sas --raw: IKE state, CHILD state and counters per connection', () => {
  const sas = parseIkeSas(listSas);
  assert.deepEqual(sas.map((sa) => [sa.connection, sa.state, sa.remoteHost, sa.establishedSeconds]), [['t-1', 'ESTABLISHED', '192.0.2.2', 12], ['t-2', 'CONNECTING', '192.0.2.77', null]]);
  assert.deepEqual(sas[0]?.children, [{ name: 't-1', state: 'INSTALLED', bytesIn: 84, bytesOut: 168, packetsIn: 1, packetsOut: 2 }]);
  assert.deepEqual(sas[1]?.children, []);
});

test('swanctl --list-conns --raw: the loaded connection names, values with spaces notwithstanding', () => {
  assert.deepEqual(parseConnectionNames(listConns), ['t-1', 't-2']);
  assert.deepEqual(parseConnectionNames('list-conns reply {}\n'), []);
});

const security = { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 } as const;
function tunnel(id: string, psk = 'secretsecret'): DesiredIpsecTunnel {
  return { id, remoteHost: '192.0.2.2', psk, ike: security, esp: security, cloudNetworkCIDRs: ['10.1.0.0/24'], peerNetworkCIDRs: ['10.2.0.0/24'] };
}
const ids = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'] as const;
function gateway(tunnels: DesiredIpsecTunnel[]): DesiredIpsecGateway {
  return { kind: 'ipsec', id: '6f1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d', generation: 1, gatewayIP: '192.0.2.1', connections: [], tunnels };
}

test('a loaded, unchanged gateway needs no reload; a changed tunnel is reloaded and only its SA renegotiated', () => {
  const before = gateway([tunnel(ids[0]), tunnel(ids[1])]);
  const names = ids.map((id) => `t-${id}`);
  const previous = { charonPid: 7, tunnels: tunnelHashes(before) };
  const base = { loadedNames: names, previous, charonPid: 7 };
  assert.deepEqual(planIpsecLoad({ ...base, wanted: tunnelHashes(before) }), { reload: false, terminate: [] });
  const after = gateway([tunnel(ids[0]), tunnel(ids[1], 'another-secret')]);
  assert.deepEqual(planIpsecLoad({ ...base, wanted: tunnelHashes(after) }), { reload: true, terminate: [`t-${ids[1]}`] });
});

test('a restarted charon, a missing or a stray connection each cause a reload', () => {
  const gw = gateway([tunnel(ids[0])]);
  const name = `t-${ids[0]}`;
  const previous = { charonPid: 7, tunnels: tunnelHashes(gw) };
  const base = { wanted: tunnelHashes(gw), previous };
  assert.deepEqual(planIpsecLoad({ ...base, loadedNames: [], charonPid: 8 }), { reload: true, terminate: [] });
  assert.equal(planIpsecLoad({ ...base, loadedNames: [], charonPid: 7 }).reload, true);
  assert.equal(planIpsecLoad({ ...base, loadedNames: [name, 't-stray'], charonPid: 7 }).reload, true);
});

test('a removed tunnel is unloaded and its IKE_SA ended', () => {
  const both = gateway([tunnel(ids[0]), tunnel(ids[1])]);
  const names = ids.map((id) => `t-${id}`);
  const plan = planIpsecLoad({ wanted: tunnelHashes(gateway([tunnel(ids[0])])), loadedNames: names, previous: { charonPid: 7, tunnels: tunnelHashes(both) }, charonPid: 7 });
  assert.deepEqual(plan, { reload: true, terminate: [`t-${ids[1]}`] });
});

test('strongswan.conf: kernel-libipsec before kernel-netlink, a private vici socket, nothing from /etc', () => {
  const text = renderStrongswanConf({ viciSocket: '/data/linux/ipsec/charon.vici', logFile: '/data/linux/ipsec/charon.log', backend: 'libipsec' });
  assert.match(text, /load = .*kernel-libipsec kernel-netlink socket-default vici/);
  assert.match(text, /socket = unix:\/\/\/data\/linux\/ipsec\/charon.vici/);
  assert.doesNotMatch(text, /include/);
  assert.doesNotMatch(renderStrongswanConf({ viciSocket: '/s', logFile: '/l', backend: 'xfrm' }), /libipsec/);
  assert.throws(() => renderStrongswanConf({ viciSocket: '/a b\n}', logFile: '/l', backend: 'xfrm' }));
});

test('without root the linux driver names what is missing', () => {
  const missing = missingPrerequisites({ ipsecBackend: 'libipsec', isRoot: false, netns: 'vpngw-no-such-namespace', env: { PATH: '/nonexistent' } });
  assert.ok(missing.some((m) => m.startsWith('root privileges')));
  assert.ok(missing.some((m) => m.includes('vpngw-no-such-namespace')));
});
