import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';

const SILENT = /^gateway host edge-1 has not been heard from since (\S+); its tunnels may still be up$/;

/**
 * vpngw serve --driver none owns the status of a gateway no host runs, and says when a host that runs
 * gateways stops calling in (VPNGW_HOST_HEARTBEAT_TIMEOUT_MS, here 2 s): over real HTTP, on the
 * engine under test.
 */
describe('fleet gateway status: unplaced gateways and silent hosts', () => {
  let svc: TestService;
  const gatewayIP = wireguardGateway().properties.gatewayIP;

  before(async () => {
    svc = await startTestService({ env: { VPNGW_DRIVER: 'none', VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: '2000' } });
  });
  after(async () => { await svc.stop(); });

  const agent = (auth: string) => ({ authorization: auth });
  const statusOf = async (id: string) => (await svc.request('GET', `/wireguardgateways/${id}`)).body.metadata as { status: string; statusMessage?: string | null };
  async function silentGauge(): Promise<number> {
    const text = (await svc.request('GET', '/metrics', undefined, { authorization: '' })).text;
    return Number(/^vpngw_fleet_hosts_silent (\d+)$/m.exec(text)?.[1]);
  }

  test('FAILED while no host holds its address, PROVISIONING once one enrolls with it, then what the agent reports; a silent host is said so and clears on its return', async () => {
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    assert.deepEqual(await statusOf(id), { ...(await statusOf(id)), status: 'FAILED', statusMessage: `no gateway host holds ${gatewayIP}` });

    const token = (await svc.request('POST', '/fleet/v1/enrollment-tokens', {})).body.token as string;
    const enrolled = await svc.request('POST', '/agent/v1/enroll', { token, name: 'edge-1', version: '0.1.0' }, { authorization: '' });
    assert.equal(enrolled.status, 201, enrolled.text);
    const auth = `Bearer ${enrolled.body.credential as string}`;
    assert.equal((await statusOf(id)).status, 'FAILED', 'enrolled without the address: still unplaced');
    const inventory = { addresses: [gatewayIP], delegatedBlocks: [], lans: [], version: '0.1.0' };
    assert.equal((await svc.request('PUT', '/agent/v1/inventory', inventory, agent(auth))).status, 200);
    const placed = await statusOf(id);
    assert.equal(placed.status, 'PROVISIONING');
    assert.ok(!placed.statusMessage, 'the unplaced message is gone');

    const desired = await svc.request('GET', '/agent/v1/desired', undefined, agent(auth));
    assert.equal(desired.status, 200, desired.text);
    const generation = desired.body.gateways[0].generation as number;
    const report = await svc.request('POST', '/agent/v1/reports', { gateways: [{ id, generation, status: 'AVAILABLE' }] }, agent(auth));
    assert.deepEqual(report.body.gateways.map((r: { outcome: string }) => r.outcome), ['RECORDED']);
    assert.equal((await statusOf(id)).status, 'AVAILABLE');
    assert.equal(await silentGauge(), 0);

    // The host stops calling in: its gateway keeps AVAILABLE (what is known) with a message saying since when.
    const silent = await eventually(async () => {
      const s = await statusOf(id);
      return SILENT.test(s.statusMessage ?? '') && s;
    }, 15_000, 'the silent-host message');
    assert.equal(silent.status, 'AVAILABLE');
    const hosts = (await svc.request('GET', '/fleet/v1/hosts')).body.items as Array<{ name: string; connected: boolean; lastContact: string }>;
    assert.deepEqual(hosts.map((h) => [h.name, h.connected]), [['edge-1', false]]);
    assert.equal(SILENT.exec(silent.statusMessage ?? '')?.[1], hosts[0]?.lastContact, 'the message names the last contact');
    assert.equal(await silentGauge(), 1);
    assert.match((await svc.request('GET', '/metrics', undefined, { authorization: '' })).text, /^vpngw_fleet_hosts\{state="ACTIVE"\} 1$/m);

    // It calls in again (the inventory heartbeat): cleared at once, though nothing else changed.
    assert.equal((await svc.request('PUT', '/agent/v1/inventory', inventory, agent(auth))).status, 200);
    assert.deepEqual(await statusOf(id), { ...(await statusOf(id)), status: 'AVAILABLE' });
    assert.equal((await statusOf(id)).statusMessage, undefined);
    assert.equal(((await svc.request('GET', '/fleet/v1/hosts')).body.items[0] as { connected: boolean }).connected, true);
    assert.equal(await silentGauge(), 0);

    // Silent again, then back through the watch.
    await eventually(async () => SILENT.test((await statusOf(id)).statusMessage ?? ''), 15_000, 'silent again');
    assert.equal((await svc.request('GET', '/agent/v1/desired?since=0', undefined, agent(auth))).status, 200);
    assert.ok(!SILENT.test((await statusOf(id)).statusMessage ?? ''), 'the watch clears it');

    // The host is removed: no host holds the address again.
    assert.equal((await svc.request('DELETE', `/fleet/v1/hosts/${enrolled.body.hostId as string}`)).status < 300, true);
    assert.deepEqual(await statusOf(id), { ...(await statusOf(id)), status: 'FAILED', statusMessage: `no gateway host holds ${gatewayIP}` });
  });
});

test('on one box (the files driver) placement writes no status: a gateway no host holds is the embedded reconciler\'s', async () => {
  const svc = await startTestService();
  try {
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    assert.equal(created.status, 201, created.text);
    const stored = await svc.store.findGatewayAnywhere(created.body.id as string);
    assert.notEqual(stored?.statusMessage, `no gateway host holds ${wireguardGateway().properties.gatewayIP}`);
  } finally {
    await svc.stop();
  }
});

test('the host heartbeat timeout: 60 s by default, from --host-heartbeat-timeout or VPNGW_HOST_HEARTBEAT_TIMEOUT_MS, an integer of milliseconds', () => {
  assert.equal(loadConfig([], {}).hostHeartbeatTimeoutMs, 60_000);
  assert.equal(loadConfig([], { VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: '30000' }).hostHeartbeatTimeoutMs, 30_000);
  assert.equal(loadConfig(['--host-heartbeat-timeout', '5000'], { VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: '30000' }).hostHeartbeatTimeoutMs, 5000);
  for (const bad of ['0', '1.5', '1m', '-1']) {
    assert.throws(() => loadConfig([], { VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: bad }), (error: unknown) =>
      error instanceof ConfigError && /VPNGW_HOST_HEARTBEAT_TIMEOUT_MS must be an integer from 100 to 86400000/.test(error.message));
  }
});
