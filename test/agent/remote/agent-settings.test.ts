import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentSettingsError, loadAgentSettings, parseLanBinding } from '../../../src/agent/remote/agent-settings.ts';

const DC = '5a029f4a-72e5-11ec-90d6-0242ac120003';

test('flags come first, then the VPNGW_AGENT_* variables, then the defaults', () => {
  const fromEnv = loadAgentSettings([], {
    VPNGW_AGENT_SERVERS: 'https://a.example/, https://b.example', VPNGW_AGENT_DATA_DIR: '/var/lib/vpngw-agent', VPNGW_CA_FILE: '/etc/ca.pem',
    VPNGW_AGENT_ADDRESSES: '192.0.2.10,2001:db8::1', VPNGW_AGENT_LANS: `${DC}:2=eth1`,
  });
  assert.deepEqual(fromEnv.servers, ['https://a.example', 'https://b.example']);
  assert.equal(fromEnv.dataDir, '/var/lib/vpngw-agent');
  assert.equal(fromEnv.caFile, '/etc/ca.pem');
  assert.deepEqual(fromEnv.addresses, ['192.0.2.10', '2001:db8::1']);
  assert.deepEqual(fromEnv.lans, [{ datacenterId: DC, lanId: '2', interface: 'eth1' }]);
  assert.equal(fromEnv.driver, 'linux');
  assert.equal(fromEnv.heartbeatMs, 15_000);
  assert.equal(fromEnv.reconcileIntervalMs, 10_000);
  const fromFlags = loadAgentSettings(['--server', 'http://127.0.0.1:8080', '--server', 'http://127.0.0.2:8080', '--address', '198.51.100.1',
    '--delegated-block', '203.0.113.0/28', '--driver', 'files', '--name', 'edge-7', '--reconcile-interval', '2000'], { VPNGW_AGENT_SERVERS: 'https://ignored', VPNGW_AGENT_ADDRESSES: '192.0.2.99' });
  assert.deepEqual(fromFlags.servers, ['http://127.0.0.1:8080', 'http://127.0.0.2:8080']);
  assert.deepEqual(fromFlags.addresses, ['198.51.100.1']);
  assert.deepEqual(fromFlags.delegatedBlocks, ['203.0.113.0/28']);
  assert.deepEqual(fromFlags.delegatedBlockUplinks, [{ cidr: '203.0.113.0/28' }]);
  assert.equal(fromFlags.driver, 'files');
  assert.equal(fromFlags.name, 'edge-7');
  assert.equal(fromFlags.reconcileIntervalMs, 2000);
});

test('what cannot work is refused naming the setting', () => {
  const refused = (argv: string[], pattern: RegExp) => assert.throws(() => loadAgentSettings(argv, {}), (e: Error) => e instanceof AgentSettingsError && pattern.test(e.message));
  refused([], /--server/);
  refused(['--server', 'ftp://x'], /--server: "ftp:\/\/x" must be an http/);
  refused(['--server', 'https://user:pw@x'], /must not carry credentials/);
  refused(['--server', 'http://x', '--address', '192.0.2'], /--address/);
  refused(['--server', 'http://x', '--delegated-block', '192.0.2.0'], /--delegated-block/);
  refused(['--server', 'http://x', '--driver', 'none'], /Unknown driver/);
  refused(['--server', 'http://x', '--driver', 'files', '--netns', 'ns1'], /--netns applies only/);
  refused(['--server', 'http://x', '--name=-bad'], /--name/);
  refused(['--server', 'http://x', '--heartbeat-interval', '5s'], /VPNGW_AGENT_HEARTBEAT_MS/);
  assert.throws(() => loadAgentSettings(['--server', 'http://x', '--token', 'secret'], {}), /Unknown option '--token'/);
});

test('a delegated block may name the interface it is routed to; the inventory still gets the CIDRs alone', () => {
  const settings = loadAgentSettings(['--server', 'http://x'], { VPNGW_AGENT_DELEGATED_BLOCKS: '203.0.113.0/28=eth0, 2001:db8:5::/64=ens3,198.51.100.0/24' });
  assert.deepEqual(settings.delegatedBlocks, ['203.0.113.0/28', '2001:db8:5::/64', '198.51.100.0/24']);
  assert.deepEqual(settings.delegatedBlockUplinks, [
    { cidr: '203.0.113.0/28', interface: 'eth0' }, { cidr: '2001:db8:5::/64', interface: 'ens3' }, { cidr: '198.51.100.0/24' },
  ]);
  for (const raw of ['203.0.113.0/28=', '203.0.113.0/28=name-longer-than-15', '203.0.113.0/28=eth 0', '203.0.113.0/28=eth0=eth1', 'eth0=203.0.113.0/28']) {
    assert.throws(() => loadAgentSettings(['--server', 'http://x', '--delegated-block', raw], {}),
      (e: Error) => e instanceof AgentSettingsError && e.message.startsWith('--delegated-block: '), raw);
  }
});

test('a LAN binding is DATACENTER_ID:LAN_ID=IFNAME', () => {
  assert.deepEqual(parseLanBinding(`${DC.toUpperCase()}:12=ens4`), { datacenterId: DC, lanId: '12', interface: 'ens4' });
  for (const raw of [`${DC}:x=eth1`, `not-a-uuid:1=eth1`, `${DC}:1=`, `${DC}=eth1`, `${DC}:1=name-longer-than-15`]) {
    assert.throws(() => parseLanBinding(raw), AgentSettingsError, raw);
  }
});
