import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { buildConsole } from '../../scripts/build-console.js';
import { CONSOLE_CSP, installConsole } from '../../src/api/console-routes.ts';
import { installErrorHandling } from '../../src/api/error-handler.ts';

async function appServing(directory: string | null) {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  installErrorHandling(app);
  await installConsole(app, directory);
  await app.ready();
  return app;
}

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/app-ABC.js"></script>');
  writeFileSync(join(dir, 'assets/app-ABC.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  return `${dir}/`;
}

test('/console serves the page with a CSP naming no other origin, and every deep link under it answers the same page', async (t) => {
  const dir = fixture();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await appServing(dir);
  for (const url of ['/console', '/console/', '/console/wireguard/7b0f0b8e-1111-4a4a-8888-000000000000/peers/new', '/console/admin/audit']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['content-security-policy'], CONSOLE_CSP);
    assert.equal(res.headers['cache-control'], 'no-cache', 'the page is revalidated, so a new build is picked up at once');
    assert.match(res.body, /app-ABC\.js/);
  }
  assert.doesNotMatch(CONSOLE_CSP, /https?:|\*|unsafe/, 'no external origin, wildcard or unsafe source');
});

test('hashed assets are cached for ever and sent gzip-compressed to clients that accept it; unknown ones are 404 in the IONOS shape', async (t) => {
  const dir = fixture();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await appServing(dir);
  const plain = await app.inject({ url: '/console/assets/app-ABC.js' });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(plain.headers['content-type']), /^text\/javascript/);
  assert.equal(plain.headers['content-encoding'], undefined);
  const gzip = await app.inject({ url: '/console/assets/app-ABC.js', headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(gzip.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gzip.rawPayload).toString(), plain.body);
  const missing = await app.inject({ url: '/console/assets/app-NOPE.js' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().messages[0].errorCode, 'NOT_FOUND');
});

test('GET / sends browsers to /console/ and answers API clients 404', async () => {
  const app = await appServing(fixture());
  const browser = await app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  assert.equal(browser.statusCode, 302);
  assert.equal(browser.headers.location, '/console/');
  const client = await app.inject({ url: '/', headers: { accept: 'application/json' } });
  assert.equal(client.statusCode, 404);
  assert.equal(client.json().httpStatus, 404);
});

test('without a build, /console says how to make one', async () => {
  const app = await appServing(null);
  const res = await app.inject({ url: '/console/' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().messages[0].errorCode, 'CONSOLE_NOT_BUILT');
});

test('the console build: index.html names a hashed script and stylesheet that exist, loaded from /console/assets only', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'vpngw-console-build-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const { script, style } = await buildConsole(out);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(script, /^app-[A-Z0-9]+\.js$/);
  assert.match(style, /^app-[A-Z0-9]+\.css$/);
  assert.ok(html.includes(`src="/console/assets/${script}"`) && html.includes(`href="/console/assets/${style}"`));
  assert.doesNotMatch(html, /<script>|style=|https?:\/\//, 'no inline script or style, nothing from another origin');
  const bundle = readFileSync(join(out, 'assets', script), 'utf8');
  assert.doesNotMatch(bundle, /https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css|woff2?)/i, 'the bundle loads no script, style or font from elsewhere');
});
