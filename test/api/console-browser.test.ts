import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import jsQRModule from 'jsqr';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.js';
import type { GatewayLiveState, GatewayRef, IpsecTunnelLiveState, LiveStateSource, WireguardPeerLiveState } from '../../src/agent/driver.ts';
import { wireguardPublicKey } from '../../src/domain/wireguard-keys.ts';
import { renderSwanctlClientConfig } from '../../src/render/client-swanctl-config.ts';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../support/chromium.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { DATACENTER_ID, ipsecGateway, ipsecTunnel, PEER_PUBLIC_KEY, PSK, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basicAuth, startTestService, type TestService } from '../support/test-service.ts';

const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/console');
const WIDTHS = [390, 1280] as const;

// jsqr is CommonJS; its decoder is both module.exports and its `default`, which is what its types describe.
const jsQR = jsQRModule.default;

/** Pages that are wider than the screen (the whole page scrolls sideways), with the elements sticking out. */
const overflowing: string[] = [];

/** The page at a phone's width and a desktop's, full length, into test-artifacts/console/; neither may scroll sideways. */
async function screenshots(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    await page.waitForTimeout(50);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    const wide = await page.evaluate((w) => document.documentElement.scrollWidth > w
      ? [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap > *') && !e.closest('.sr-only, .skip'))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}(${Math.round(e.getBoundingClientRect().right)})`).slice(0, 5).join(' ') || 'the page'
      : '', width);
    if (wide) overflowing.push(`${name} at ${width}px: ${wide}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Every request must stay on this host: the console works without internet access. */
async function guardOrigin(page: Page, outside: string[]) {
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
}

async function logIn(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/console/`);
  // By keyboard only: the email field, Tab to the password, Enter submits.
  await page.locator('#login-email').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Gateways' }).waitFor();
}

async function downloadText(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** The QR code drawn on the canvas, decoded from its pixels. */
async function decodeQr(page: Page, selector: string): Promise<string> {
  const { width, height, data } = await page.locator(selector).evaluate((canvas: HTMLCanvasElement) => {
    const image = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
    return { width: canvas.width, height: canvas.height, data: Array.from(image?.data ?? []) };
  });
  const code = jsQR(Uint8ClampedArray.from(data), width, height);
  assert.ok(code, 'the canvas holds a readable QR code');
  return code.data;
}

async function createMember(svc: TestService, email: string, password: string) {
  const user = await svc.request('POST', '/cloudapi/v6/um/users', { properties: { email, password, firstname: 'Vera', lastname: 'Member' } });
  assert.equal(user.status, 202);
  const group = await svc.request('POST', '/cloudapi/v6/um/groups', { properties: { name: 'network team', accessAndManageVpn: true } });
  assert.equal(group.status, 202);
  assert.equal((await svc.request('POST', `/cloudapi/v6/um/groups/${group.body.id}/users`, { id: user.body.id })).status, 202);
}

/** First load: what the browser downloads (gzip, as served) and when the sign-in form can be used. */
async function measureFirstLoad(context: BrowserContext, base: string) {
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.locator('#login-email').waitFor();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { interactiveMs: Math.round(performance.now()), domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd), loadMs: Math.round(nav.loadEventEnd) };
  });
  const html = await (await fetch(`${base}/console/`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map(([, path]) => path ?? '');
  let gzipBytes = gzipSync(html).length;
  for (const asset of assets) {
    const response = await fetch(`${base}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    gzipBytes += Number(response.headers.get('content-length') ?? (await response.arrayBuffer()).byteLength);
  }
  await page.close();
  return { gzipBytes, ...timing };
}

test('the web console in headless Chromium: sign-in, gateways, a peer with its configuration and QR code, live state, administration, an unprivileged member', { timeout: 240_000 }, async (t) => {
  if (!requireChromium(t, 'the web console test')) return;
  await buildConsole();
  mkdirSync(ARTIFACTS, { recursive: true });
  const svc = await startTestService();
  const profile = mkdtempSync(join(tmpdir(), 'vpngw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true, viewport: { width: 1280, height: 900 },
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await svc.stop();
  });
  const base = await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const outside: string[] = [];
  const errors: string[] = [];
  const page = context.pages()[0] ?? await context.newPage();
  await guardOrigin(page, outside);
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error' && !/status of (4\d\d|501)/.test(message.text())) errors.push(message.text()); });

  const metrics = await measureFirstLoad(context, base);

  // A browser opening the server's root lands on the console's sign-in.
  await page.goto(`${base}/`);
  assert.equal(new URL(page.url()).pathname, '/console/');
  await page.locator('#login-email').waitFor();
  await screenshots(page, '01-login');
  await logIn(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.getByText('No WireGuard gateways yet.').waitFor();
  await screenshots(page, '02-overview-empty');

  // A WireGuard gateway, created in the form; its data plane cannot be written at first (the files
  // driver's directory is blocked by a file), so it shows FAILED with the reason.
  const wireguardDir = join(svc.dataDir, 'dataplane', 'wireguard');
  mkdirSync(join(svc.dataDir, 'dataplane'), { recursive: true });
  writeFileSync(wireguardDir, 'not a directory');
  await page.getByRole('link', { name: 'New WireGuard gateway' }).click();
  await page.locator('#field-name').fill('Office gateway');
  await page.locator('#field-gatewayIP').fill('192.0.2.10');
  await page.locator('#field-interfaceIPv4CIDR').fill('10.7.0.1/24');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.waitForFunction(() => (document.querySelector('#field-privateKey') as HTMLInputElement).value.length === 44);
  await page.locator('#field-connection-0-datacenterId').fill(DATACENTER_ID);
  await page.locator('#field-connection-0-lanId').fill('2');
  await page.locator('#field-connection-0-ipv4CIDR').fill('192.168.1.100/24');
  await page.locator('#field-tier').selectOption('STANDARD');
  await screenshots(page, '03-wireguard-gateway-form');
  await page.getByRole('button', { name: 'Create gateway' }).click();
  await page.getByRole('heading', { name: 'Office gateway' }).waitFor();
  const gatewayId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  const stored = await svc.request('GET', `/wireguardgateways/${gatewayId}`);
  assert.equal(stored.status, 200, 'the gateway exists in the API');
  assert.equal(stored.body.properties.connections[0].lanId, '2');
  await page.locator('.status-failed').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('.status-failed').innerText(), /FAILED: Could not write the configuration file/);
  await screenshots(page, '04-wireguard-gateway-failed');

  // The data plane becomes writable: the page, refreshing by itself, shows AVAILABLE.
  rmSync(wireguardDir);
  await svc.reconciler.runPass({ full: true });
  await page.locator('.status-available').waitFor({ timeout: 15_000 });

  // A peer: first with an address the API refuses, whose message appears at the allowed IPs field.
  await page.getByRole('link', { name: 'Add peer' }).click();
  await page.locator('#field-name').fill('laptop');
  assert.equal(await page.locator('#field-allowedIPs').inputValue(), '10.7.0.2/32', 'the next free address is suggested');
  await page.locator('#field-allowedIPs').fill('10.7.0.300/32');
  await page.getByRole('button', { name: 'Generate key pair' }).click();
  await page.waitForFunction(() => (document.querySelector('#field-publicKey') as HTMLInputElement).value.length === 44);
  await page.getByRole('button', { name: 'Create peer' }).click();
  const fieldError = page.locator('[data-field="allowedIPs"] .field-error');
  await fieldError.waitFor();
  assert.match(await fieldError.innerText(), /allowedIPs/);
  assert.equal(await page.locator('[data-field="name"] .field-error').count(), 0, 'only the field the API named shows an error');
  await screenshots(page, '05-peer-validation-error');
  await page.locator('#field-allowedIPs').fill('10.7.0.2/32');
  await page.getByRole('button', { name: 'Create peer' }).click();
  await page.locator('#peer-qr').waitFor();
  const peerId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  const peer = await svc.request('GET', `/wireguardgateways/${gatewayId}/peers/${peerId}`);
  assert.equal(peer.status, 200);

  // The configuration download and the QR code carry the same text, with a private key of that peer.
  const conf = await downloadText(page, () => page.getByRole('button', { name: 'Download .conf' }).click());
  assert.equal(conf.name, 'laptop.conf');
  const privateKey = /^PrivateKey = (\S+)$/m.exec(conf.text)?.[1] ?? '';
  assert.equal(wireguardPublicKey(privateKey), peer.body.properties.publicKey, 'the key pair was made in the page and belongs to the peer');
  assert.match(conf.text, /^Address = 10\.7\.0\.2\/32$/m);
  assert.match(conf.text, new RegExp(`^PublicKey = ${stored.body.metadata.publicKey.replace(/[+/]/g, '\\$&')}$`, 'm'));
  assert.match(conf.text, /^Endpoint = 192\.0\.2\.10:51820$/m);
  assert.equal(await decodeQr(page, '#peer-qr'), conf.text, 'the QR code decodes to exactly the downloaded file');
  assert.ok(!(await page.locator('#peer-config').innerText()).includes(privateKey), 'the private key is not shown on screen');
  const audit = await svc.request('GET', '/audit/v1/records?limit=1000');
  assert.ok(!JSON.stringify(audit.body).includes(privateKey) && !svc.logs.join('').includes(privateKey), 'the private key never reached the server');
  await screenshots(page, '06-peer-config');

  await page.getByRole('link', { name: 'Office gateway' }).click();
  await page.locator('table.peers').getByText('laptop').waitFor();
  assert.match(await page.locator('table.peers').innerText(), /10\.7\.0\.2\/32/);
  await screenshots(page, '07-wireguard-gateway');

  // Editing the gateway: a new name; the private key, left empty, is kept.
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.locator('#field-name').fill('Office gateway (Berlin)');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Office gateway (Berlin)' }).waitFor();
  assert.equal((await svc.request('GET', `/wireguardgateways/${gatewayId}`)).body.metadata.publicKey, stored.body.metadata.publicKey, 'same key');

  // IPSec: a gateway and a tunnel made in the forms; a PSK too short is refused at its field.
  await page.goto(`${base}/console/ipsec/new`);
  await page.locator('#field-name').fill('My Company IPSec Gateway');
  await page.locator('#field-gatewayIP').fill('192.0.2.20');
  await page.locator('#field-connection-0-datacenterId').fill(DATACENTER_ID);
  await page.locator('#field-connection-0-lanId').fill('2');
  await page.locator('#field-connection-0-ipv4CIDR').fill('192.168.1.101/24');
  await page.getByRole('button', { name: 'Create gateway' }).click();
  await page.getByRole('heading', { name: 'My Company IPSec Gateway' }).waitFor();
  const ipsecId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  await page.getByRole('link', { name: 'Add tunnel' }).click();
  await page.locator('#field-name').fill('site-b');
  await page.locator('#field-remoteHost').fill('203.0.113.100');
  await page.locator('#field-psk').fill('short');
  await page.locator('#field-cloudNetworkCIDRs').fill('10.0.0.0/24');
  await page.locator('#field-peerNetworkCIDRs').fill('10.1.0.0/24');
  await page.locator('#field-ike-enc').selectOption('AES256-GCM-16');
  await page.locator('#field-ike-dh').selectOption('19-ECP256');
  await page.getByRole('button', { name: 'Create tunnel' }).click();
  await page.locator('[data-field="psk"] .field-error').waitFor();
  assert.match(await page.locator('[data-field="psk"] .field-error').innerText(), /psk/);
  await screenshots(page, '09-tunnel-validation-error');
  await page.locator('#field-psk').fill(PSK);
  await page.getByRole('button', { name: 'Create tunnel' }).click();
  await page.getByRole('button', { name: 'Download swanctl.conf' }).waitFor();
  const tunnelId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  const tunnel = await svc.request('GET', `/ipsecgateways/${ipsecId}/tunnels/${tunnelId}`);
  assert.equal(tunnel.status, 200);
  assert.deepEqual(tunnel.body.properties.ike, { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 86400 });
  // The PSK typed when creating is still in the page (not in the API's answers): the remote configuration is ready.
  assert.equal(await page.locator('#field-remotePsk').inputValue(), PSK);
  const swanctl = await downloadText(page, () => page.getByRole('button', { name: 'Download swanctl.conf' }).click());
  const t2 = tunnel.body.properties;
  assert.equal(swanctl.text, renderSwanctlClientConfig({
    gatewayId: ipsecId, gatewayIP: '192.0.2.20', psk: PSK,
    tunnel: { id: tunnelId, remoteHost: t2.remoteHost, ike: t2.ike, esp: t2.esp, cloudNetworkCIDRs: t2.cloudNetworkCIDRs, peerNetworkCIDRs: t2.peerNetworkCIDRs },
  }), 'the same swanctl.conf as `vpngw ipsec tunnel config`');
  await screenshots(page, '10-ipsec-tunnel');
  const ipsec = { body: { id: ipsecId } };

  await page.goto(`${base}/console/`);
  await page.locator('table.gateways[data-kind="ipsec"]').getByText('My Company IPSec Gateway').waitFor();
  assert.match(await page.locator('table.gateways[data-kind="wireguard"]').innerText(), /1 \/ 20/);
  await screenshots(page, '08-overview');
  await page.getByRole('link', { name: 'My Company IPSec Gateway' }).click();
  await page.locator('table.tunnels').getByText('site-b').waitFor();
  assert.match(await page.locator('table.tunnels').innerText(), /AES-256 GCM with a 128-bit tag, NIST P-256 \(group 19\), 24 h/);
  await screenshots(page, '11-ipsec-gateway');

  // Escape keeps the peer; confirming deletes it.
  await page.goto(`${base}/console/wireguard/${gatewayId}`);
  await page.getByRole('button', { name: 'Delete peer laptop' }).click();
  await page.locator('dialog.confirm').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog.confirm').waitFor({ state: 'detached' });
  assert.equal((await svc.request('GET', `/wireguardgateways/${gatewayId}/peers/${peerId}`)).status, 200, 'Escape deleted nothing');

  // Deleting the IPSec gateway asks first, naming its tunnel.
  await page.goto(`${base}/console/ipsec/${ipsec.body.id}`);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.locator('dialog.confirm');
  assert.match(await dialog.innerText(), /Its 1 tunnel go with it \(site-b\)/);
  await screenshots(page, '12-delete-confirmation');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('heading', { name: 'Gateways' }).waitFor();
  const deleted = await svc.request('GET', `/ipsecgateways/${ipsec.body.id}`);
  assert.ok(deleted.status === 404 || deleted.body.metadata.status === 'DESTROYING', 'the gateway is going');

  // Administration, for the administrator.
  await createMember(svc, 'member@example.com', 'member password 1');
  await page.getByRole('link', { name: 'Administration' }).click();
  for (const [tab, text] of [['Users', 'member@example.com'], ['Groups', 'network team'], ['Tokens', 'Remove expired tokens'], ['Audit trail', 'POST /wireguardgateways']] as const) {
    await page.locator('nav.tabs').getByRole('link', { name: tab }).click();
    await page.getByText(text).first().waitFor();
    await screenshots(page, `13-admin-${tab.split(' ')[0]?.toLowerCase()}`);
  }
  assert.match(await page.locator('table.audit tbody tr').first().innerText(), /POST \/cloudapi\/v6\/um\/groups\/:groupId\/users/, 'newest first');
  await page.locator('#audit-outcome').selectOption('failure');
  const failedRows = page.locator('table.audit tbody tr');
  assert.ok(await failedRows.count() >= 1, 'the refused peer is on record');
  assert.equal(await page.locator('table.audit tbody tr:not(.failed)').count(), 0, 'the filter shows failures only');

  // Dark mode follows the system setting.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${base}/console/wireguard/${gatewayId}`);
  await page.locator('table.peers').waitFor();
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(background, 'rgb(246, 247, 249)', 'a dark background in dark mode');
  await screenshots(page, '14-dark-mode');
  await page.emulateMedia({ colorScheme: 'light' });

  // Signing out revokes the token the page held.
  const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('vpngw.session') ?? '{}') as { token?: string }).token ?? '');
  assert.equal((await fetch(`${base}/wireguardgateways`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#login-email').waitFor();
  assert.equal((await fetch(`${base}/wireguardgateways`, { headers: { authorization: `Bearer ${token}` } })).status, 401, 'the token is revoked');

  // A member of a VPN group: the gateways, no administration; forcing its URL shows the API's 403.
  const member = await context.newPage();
  await guardOrigin(member, outside);
  await logIn(member, base, 'member@example.com', 'member password 1');
  await member.getByRole('link', { name: 'Office gateway' }).waitFor();
  assert.equal(await member.getByRole('link', { name: 'Administration' }).count(), 0, 'no administration for a member');
  await member.goto(`${base}/console/admin/users`);
  const refusal = member.locator('.error');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /^403: /);
  await screenshots(member, '15-member-forbidden');
  const denied = await fetch(`${base}/cloudapi/v6/um/users`, { headers: { authorization: basicAuth('member@example.com', 'member password 1') } });
  assert.equal(denied.status, 403, 'the API itself refuses');

  assert.deepEqual(outside, [], 'no request left this host');
  assert.deepEqual(overflowing, [], 'no page scrolls sideways');
  assert.deepEqual(errors, [], 'no script error in the page');
  writeFileSync(join(ARTIFACTS, 'first-load.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  process.stdout.write(`# console first load: ${(metrics.gzipBytes / 1024).toFixed(1)} KiB gzip, sign-in usable after ${metrics.interactiveMs} ms (DOMContentLoaded ${metrics.domContentLoadedMs} ms)\n`);
  assert.ok(metrics.gzipBytes < 100 * 1024, `the first load stays small (${metrics.gzipBytes} bytes gzip)`);
});

/** A fake data plane that also reports live sessions, as the linux driver does; the test sets what it reports. */
class FakeLiveStateDriver extends FakeDriver implements LiveStateSource {
  peers: WireguardPeerLiveState[] = [];
  tunnels: IpsecTunnelLiveState[] = [];

  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    return ref.kind === 'wireguard'
      ? { kind: 'wireguard', namespace: 'fake', interfaceName: 'wg-fake', present: true, listenPort: 51820, lans: [], peers: this.peers }
      : { kind: 'ipsec', namespace: 'fake', charonRunning: true, lans: [], tunnels: this.tunnels };
  }
}

test('the web console shows live sessions as the data plane reports them and follows their changes (a fake live-state driver)', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t, 'the web console test')) return;
  await buildConsole();
  mkdirSync(ARTIFACTS, { recursive: true });
  const driver = new FakeLiveStateDriver();
  const svc = await startTestService({ driver });
  const profile = mkdtempSync(join(tmpdir(), 'vpngw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await svc.stop();
  });
  const base = await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const gateway = await svc.request('POST', '/wireguardgateways', wireguardGateway());
  const peer = await svc.request('POST', `/wireguardgateways/${gateway.body.id}/peers`, wireguardPeer());
  const ipsec = await svc.request('POST', '/ipsecgateways', ipsecGateway());
  const tunnel = await svc.request('POST', `/ipsecgateways/${ipsec.body.id}/tunnels`, ipsecTunnel());
  assert.deepEqual([gateway.status, peer.status, ipsec.status, tunnel.status], [201, 201, 201, 201]);
  driver.peers = [{ publicKey: PEER_PUBLIC_KEY, endpoint: null, latestHandshake: null, transferRxBytes: 0, transferTxBytes: 0 }];
  driver.tunnels = [{ tunnelId: tunnel.body.id, ikeState: 'CONNECTING', ikeEstablished: false, childEstablished: false, bytesIn: 0, bytesOut: 0 }];

  const page = context.pages()[0] ?? await context.newPage();
  await logIn(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
  const wireguardRow = page.locator('table.gateways[data-kind="wireguard"] tbody tr');
  const ipsecRow = page.locator('table.gateways[data-kind="ipsec"] tbody tr');
  await wireguardRow.getByText('0 / 1').waitFor();
  await ipsecRow.getByText('0 / 1').waitFor();

  // The peer shakes hands and the tunnel comes up: the overview follows by itself.
  driver.peers = [{ publicKey: PEER_PUBLIC_KEY, endpoint: '198.51.100.7:51820', latestHandshake: new Date(Date.now() - 125_000).toISOString(), transferRxBytes: 1536, transferTxBytes: 3 * 1024 * 1024 }];
  driver.tunnels = [{ tunnelId: tunnel.body.id, ikeState: 'ESTABLISHED', ikeEstablished: true, childEstablished: true, bytesIn: 2048, bytesOut: 4096 }];
  await wireguardRow.getByText('1 / 1').waitFor({ timeout: 15_000 });
  await ipsecRow.getByText('1 / 1').waitFor({ timeout: 15_000 });
  await screenshots(page, '16-overview-live');

  await page.getByRole('link', { name: 'My Company Gateway' }).click();
  const peerRow = page.locator('table.peers tbody tr');
  await peerRow.getByText('2 minutes ago').waitFor();
  assert.match(await peerRow.innerText(), /198\.51\.100\.7:51820[\s\S]*1\.5 KiB \/ 3\.0 MiB/);
  await screenshots(page, '17-wireguard-gateway-live');
  await page.goto(`${base}/console/ipsec/${ipsec.body.id}`);
  await page.locator('table.tunnels').getByText(/established · 2\.0 KiB in \/ 4\.0 KiB out/).waitFor();
  assert.deepEqual(overflowing, [], 'no page scrolls sideways');
});

test('the web console in a fleet (VPNGW_DRIVER=none): "not reported yet" before the host\'s first send, the age of what it sent, a silent host, a gateway no host runs', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t, 'the web console test')) return;
  await buildConsole();
  mkdirSync(ARTIFACTS, { recursive: true });
  let clockOffsetMs = 0;
  const svc = await startTestService({ env: { VPNGW_DRIVER: 'none', VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: '60000' }, now: () => new Date(Date.now() + clockOffsetMs) });
  const profile = mkdtempSync(join(tmpdir(), 'vpngw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await svc.stop();
  });
  const base = await svc.app.listen({ host: '127.0.0.1', port: 0 });
  // One gateway host, holding the WireGuard gateway's address only: the IPSec gateway has no host.
  const enrollment = await svc.request('POST', '/fleet/v1/enrollment-tokens', {});
  const enrolled = await svc.request('POST', '/agent/v1/enroll', { token: enrollment.body.token, name: 'console-host', version: '0.1.0' }, { authorization: '' });
  assert.equal(enrolled.status, 201, enrolled.text);
  const agent = { authorization: `Bearer ${enrolled.body.credential as string}` };
  const inventory = await svc.request('PUT', '/agent/v1/inventory', { addresses: [wireguardGateway().properties.gatewayIP], delegatedBlocks: [], lans: [], version: '0.1.0' }, agent);
  assert.equal(inventory.status, 200, inventory.text);
  const gateway = await svc.request('POST', '/wireguardgateways', wireguardGateway());
  const peer = await svc.request('POST', `/wireguardgateways/${gateway.body.id}/peers`, wireguardPeer());
  const ipsec = await svc.request('POST', '/ipsecgateways', ipsecGateway());
  const tunnel = await svc.request('POST', `/ipsecgateways/${ipsec.body.id}/tunnels`, ipsecTunnel());
  assert.deepEqual([gateway.status, peer.status, ipsec.status, tunnel.status], [201, 201, 201, 201]);

  const page = context.pages()[0] ?? await context.newPage();
  await logIn(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.locator('table.gateways[data-kind="wireguard"] tbody tr').getByText('not reported yet').waitFor();
  await page.locator('table.gateways[data-kind="ipsec"] tbody tr').getByText('no host runs this gateway').waitFor();
  await screenshots(page, '18-fleet-overview');

  // Before the host's first send: unknown, not "missing" nor "never".
  await page.goto(`${base}/console/wireguard/${gateway.body.id}`);
  await page.locator('table.peers tbody tr').getByText('not reported yet').first().waitFor();
  const properties = await page.locator('dl.properties').innerText();
  assert.match(properties, /Data plane\s+not reported yet/);
  assert.doesNotMatch(properties, /missing/);
  assert.doesNotMatch(await page.locator('table.peers').innerText(), /never|0 B/);
  assert.equal(await page.locator('.live-source').innerText(), 'The gateway host has sent no live state for this gateway yet.');
  await screenshots(page, '19-fleet-wireguard-not-reported');

  // The host sends what it observed two minutes ago; the page, refreshing by itself, shows it with its age.
  const observedAt = new Date(Date.now() - 125_000).toISOString();
  const sent = await svc.request('PUT', '/agent/v1/live-state', { gateways: [{ id: gateway.body.id, kind: 'wireguard', observedAt, state: {
    kind: 'wireguard', interfaceName: 'wg-console', present: true, listenPort: 51820, lans: [],
    peers: [{ publicKey: PEER_PUBLIC_KEY, endpoint: '198.51.100.7:41000', latestHandshake: new Date(Date.now() - 150_000).toISOString(), transferRxBytes: 1536, transferTxBytes: 2048 }],
  } }] }, agent);
  assert.deepEqual(sent.body, { accepted: 1, gateways: [] }, sent.text);
  await page.locator('.live-source').getByText('unchanged since 2 minutes ago').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('dl.properties').innerText(), /Data plane\s+interface up/);
  assert.match(await page.locator('table.peers tbody tr').innerText(), /2 minutes ago[\s\S]*1\.5 KiB \/ 2\.0 KiB/);
  assert.equal(await page.locator('.live-source .warn').count(), 0, 'no marker while the host calls in');

  // The host falls silent (the server's clock passes its heartbeat timeout): marked, with the note; the last values stay.
  clockOffsetMs = 120_000;
  await page.locator('.live-source .warn').getByText('host not connected').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('.live-source').innerText(), /host not connected · observed 2 minutes ago · The gateway host has not been heard from since \S+; this is the state it last sent\./);
  assert.match(await page.locator('dl.properties').innerText(), /Data plane\s+interface up/);
  await screenshots(page, '20-fleet-wireguard-host-not-connected');
  await page.goto(`${base}/console/`);
  await page.locator('table.gateways[data-kind="wireguard"] tbody tr').getByText('host not connected (last: 1 / 1)').waitFor();

  // The IPSec gateway no host runs.
  await page.goto(`${base}/console/ipsec/${ipsec.body.id}`);
  await page.locator('.live-source .warn').getByText('no host runs this gateway').waitFor();
  assert.match(await page.locator('.live-source').innerText(), /No gateway host runs this gateway \(see its statusMessage\)\./);
  assert.match(await page.locator('dl.properties').innerText(), /Data plane\s+not reported yet/);
  assert.match(await page.locator('table.tunnels tbody tr').innerText(), /not reported yet/);
  await screenshots(page, '21-fleet-ipsec-no-host');
  assert.deepEqual(overflowing, [], 'no page scrolls sideways');
});
