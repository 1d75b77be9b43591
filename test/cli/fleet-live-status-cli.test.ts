import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { PEER_PUBLIC_KEY, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestService, type TestService } from '../support/test-service.ts';
import { runCli } from './support/cli-harness.ts';

/** `vpngw wireguard gateway status` against a fleet server (--driver none): unknown before the host sends, then what it sent and when. */
describe('gateway status in a fleet', () => {
  let svc: TestService;
  let env: Record<string, string> = {};
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    svc = await startTestService({ env: { VPNGW_DRIVER: 'none' } });
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    env = { PATH: process.env.PATH ?? '', HOME: svc.dataDir, VPNGW_API_URL: url, IONOS_USERNAME: ADMIN_EMAIL, IONOS_PASSWORD: ADMIN_PASSWORD };
  });
  after(async () => { await svc.stop(); });

  test('says unknown and "not reported yet" until the host sends, then shows the state and when it was observed', async () => {
    const token = (await svc.request('POST', '/fleet/v1/enrollment-tokens', {})).body.token as string;
    const enrolled = await svc.request('POST', '/agent/v1/enroll', { token, name: 'cli-host', version: '0.1.0' }, { authorization: '' });
    const agent = { authorization: `Bearer ${enrolled.body.credential as string}` };
    await svc.request('PUT', '/agent/v1/inventory', { addresses: [wireguardGateway().properties.gatewayIP], delegatedBlocks: [], lans: [], version: '0.1.0' }, agent);
    const id = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id as string;
    await svc.request('POST', `/wireguardgateways/${id}/peers`, wireguardPeer());

    const before = await cli('wireguard', 'gateway', 'status', id);
    assert.equal(before.status, 0, before.stderr);
    assert.match(before.stdout, /^interfacePresent\s+unknown$/m);
    assert.match(before.stdout, /^observedAt\s+not reported yet$/m);
    assert.match(before.stdout, /^hostConnected\s+yes$/m);
    assert.match(before.stdout, /\sunknown\s+never\s+unknown\s+unknown$/m, 'the peer row: configured, rx and tx unknown');

    const state = { kind: 'wireguard', interfaceName: 'wg-cli', present: true, listenPort: 51820, lans: [],
      peers: [{ publicKey: PEER_PUBLIC_KEY, endpoint: null, latestHandshake: null, transferRxBytes: 7, transferTxBytes: 8 }] };
    const sent = await svc.request('PUT', '/agent/v1/live-state', { gateways: [{ id, kind: 'wireguard', observedAt: '2026-01-02T03:04:05.000Z', state }] }, agent);
    assert.equal(sent.body.accepted, 1, sent.text);
    const after = await cli('wireguard', 'gateway', 'status', id);
    assert.match(after.stdout, /^interfacePresent\s+yes$/m);
    assert.match(after.stdout, /^observedAt\s+2026-01-02T03:04:05.000Z$/m);
    assert.match(after.stdout, /\syes\s+never\s+7\s+8$/m);
  });
});
