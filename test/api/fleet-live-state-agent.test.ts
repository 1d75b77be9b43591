import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { AgentApiClient } from '../../src/agent/remote/agent-api-client.ts';
import { AgentLoop } from '../../src/agent/remote/agent-loop.ts';
import { loadAgentSettings } from '../../src/agent/remote/agent-settings.ts';
import { ServerRotation } from '../../src/agent/remote/server-rotation.ts';
import { PEER_PUBLIC_KEY, peerAddress, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { FakeLiveDriver } from '../support/fake-live-driver.ts';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';

/**
 * The agent's loop against a real API server (--driver none, over HTTP): right after the gateway is
 * applied its live state reaches /status, without waiting for the live-state interval (an hour here).
 * The data plane is a fake with live state; the linux driver's own is proven by the e2e tests.
 */
describe('the agent sends live state that /status serves', () => {
  let svc: TestService;
  let agentDir: string;
  let loop: AgentLoop;
  let running: Promise<void>;
  const driver = new FakeLiveDriver();

  before(async () => {
    svc = await startTestService({ env: { VPNGW_DRIVER: 'none' } });
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    agentDir = mkdtempSync(join(tmpdir(), 'vpngw-agent-live-'));
    const tokenFile = join(agentDir, 'token');
    writeFileSync(tokenFile, (await svc.request('POST', '/fleet/v1/enrollment-tokens', {})).body.token as string, { mode: 0o600 });
    const settings = loadAgentSettings([
      '--server', base, '--data-dir', join(agentDir, 'data'), '--enrollment-token-file', tokenFile, '--name', 'live-agent',
      '--address', wireguardGateway().properties.gatewayIP, '--driver', 'files', '--live-state-interval', '3600000', '--heartbeat-interval', '1000',
    ], {});
    const client = new AgentApiClient({ rotation: new ServerRotation(settings.servers) });
    loop = new AgentLoop({ settings, client, driver, logger: pino({ level: 'silent' }), version: '0.1.0' });
    running = loop.run();
  });
  after(async () => {
    loop.stop();
    await running.catch(() => undefined);
    await svc.stop();
    rmSync(agentDir, { recursive: true, force: true });
  });

  test('each apply that ends AVAILABLE is followed by the gateway\'s live state at once', async () => {
    const id = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id as string;
    const peerId = (await svc.request('POST', `/wireguardgateways/${id}/peers`, wireguardPeer())).body.id as string;
    driver.rxBytes = 100;
    const first = await eventually(async () => {
      const status = await svc.request('GET', `/wireguardgateways/${id}/status`);
      return status.body.properties?.peers?.[0]?.configured === true && status.body.properties;
    }, 10_000, 'the first live state');
    assert.deepEqual(first.peers, [{ id: peerId, configured: true, publicKey: PEER_PUBLIC_KEY, endpoint: null, latestHandshake: null, transferRxBytes: 100, transferTxBytes: 0 }]);
    assert.equal(first.hostConnected, true);
    assert.ok(Date.parse(first.observedAt) <= Date.now());

    // A second peer: applied again, AVAILABLE again, the new state sent again.
    driver.rxBytes = 250;
    const second = await svc.request('POST', `/wireguardgateways/${id}/peers`, wireguardPeer({ publicKey: peerKey(7), allowedIPs: [peerAddress(peerKey(7))] }));
    assert.equal(second.status, 201, second.text);
    await eventually(async () => {
      const peers = (await svc.request('GET', `/wireguardgateways/${id}/status`)).body.properties.peers as Array<{ configured: boolean; transferRxBytes: number }>;
      return peers.length === 2 && peers.every((p) => p.configured && p.transferRxBytes === 250);
    }, 10_000, 'the second peer\'s live state');
    assert.match((await svc.request('GET', '/metrics', undefined, { authorization: '' })).text,
      new RegExp(`^vpngw_wireguard_peer_receive_bytes\\{gateway_id="${id}",peer_id="${peerId}"\\} 250$`, 'm'));
  });
});
