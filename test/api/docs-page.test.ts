import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import { startTestService } from '../support/test-service.ts';
import { isCi } from '../support/ci.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Skips loudly without Chromium; under CI a missing browser fails, so the page cannot go untested. */
function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `the /docs page test needs Chromium at ${CHROMIUM} (Debian package chromium; scripts/install-test-prerequisites.sh installs it as root)`;
  if (isCi()) throw new Error(`under CI, ${message}`);
  process.stderr.write(`\n!!! SKIPPING: ${message}\n\n`);
  t.skip(message);
  return false;
}

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

test('GET /docs shows every operation in headless Chromium, loading nothing from outside this host', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const svc = await startTestService();
  const profile = mkdtempSync(join(tmpdir(), 'vpngw-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  try {
    const base = await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const page = browser.pages()[0] ?? await browser.newPage();
    const outside: string[] = [];
    // Any request off this host is recorded and refused: the page must work without internet access.
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    const response = await page.goto(`${base}/docs`);
    assert.equal(response?.status(), 200);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    const text = await page.locator('body').innerText();
    for (const id of ['wireguardgatewaysPost', 'wireguardgatewaysFindById', 'wireguardgatewaysPeersDelete', 'ipsecgatewaysGet', 'ipsecgatewaysTunnelsPut']) {
      assert.ok(text.includes(id), `the page lists ${id}`);
    }
    assert.ok(await page.locator('.opblock').count() >= 20, 'all 20 VPN operations (and more) are listed');
    assert.ok(text.includes('/wireguardgateways/{gatewayId}/peers/{peerId}'));
    assert.deepEqual(outside, [], 'no request left this host');
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    await svc.stop();
  }
});
