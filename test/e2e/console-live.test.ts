import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.js';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../support/chromium.ts';
import { attachLan, contractOf, createDatacenter } from './support/operator.ts';
import { startRemoteWireguard } from './support/remote-side.ts';
import { CONNECTIONS, E2E_ADMIN, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, pingOnce, requireE2e } from './support/system.ts';
import { createTopology } from './support/topology.ts';

const PORT = 51820;
const [LAN] = CONNECTIONS;

test('the web console follows a real WireGuard session: a remote peer appears with its handshake and traffic, and the overview counts it healthy', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t) || !requireChromium(t, 'the web console\'s end-to-end test') || !LAN) return;
  await buildConsole();
  const topology = await createTopology({ gatewayIPs: ['192.0.2.1'] });
  let svc: E2eService | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'vpngw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  try {
    svc = await startService(topology);
    const service = svc;
    await createDatacenter(service, await contractOf(service), LAN.datacenterId);
    await attachLan(service, topology, { ...LAN, addresses: ['192.168.1.10/24'], routes: [{ to: '10.7.0.0/24', via: '192.168.1.100' }] });
    const created = await service.request('POST', '/wireguardgateways', { properties: {
      name: 'console e2e', gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '10.7.0.1/24', connections: CONNECTIONS,
      privateKey: generateWireguardKeyPair().privateKey, listenPort: PORT,
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayId = created.body.id as string;
    assert.equal((await settledGateway(service, 'wireguardgateways', gatewayId)).metadata.status, 'AVAILABLE');

    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${service.baseUrl}/console/wireguard/${gatewayId}`);
    await page.locator('#login-email').fill(E2E_ADMIN.email);
    await page.locator('#login-password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'console e2e' }).waitFor();
    await page.getByText('interface up').waitFor();
    await page.getByText('No peers yet.').waitFor();

    // A remote site comes up and is added as a peer: the open page shows its session by itself.
    const remote = await startRemoteWireguard(topology, {
      index: 1, dir: service.dataDir, gatewayPublicKey: created.body.metadata.publicKey, gatewayPort: PORT, address4: '10.7.0.2/24', allowed: ['10.7.0.0/24'],
    });
    const peer = await service.request('POST', `/wireguardgateways/${gatewayId}/peers`, { properties: { name: 'branch', allowedIPs: ['10.7.0.2/32'], publicKey: remote.publicKey } });
    assert.equal(peer.status, 201, JSON.stringify(peer.body));
    await eventually('a ping through the tunnel', () => pingOnce(topology.remote, '10.7.0.2', '10.7.0.1'));
    const row = page.locator('table.peers tbody tr');
    await row.locator('.ok').filter({ hasText: /just now|seconds? ago/ }).waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /192\.0\.2\.2:52001/, 'the endpoint the gateway sees');
    assert.doesNotMatch(await row.locator('td[data-label="Received / sent"]').innerText(), /^0 B \/ 0 B$/, 'bytes moved');

    await page.getByRole('link', { name: 'Gateways' }).first().click();
    await page.locator('table.gateways[data-kind="wireguard"] td[data-label="Recent handshake"]').filter({ hasText: '1 / 1' }).waitFor();
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await svc?.cleanup();
    await topology.cleanup();
  }
});
