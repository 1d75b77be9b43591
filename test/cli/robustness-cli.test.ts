import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { runCli, type CliResult } from './support/cli-harness.ts';

// The CLI against servers that misbehave (never answer, answer HTML, fail) and against mistakes in
// its own input. None needs a real vpngw server; the tests are independent, so they run concurrently
// (the "never answers" one takes the full per-request bound of 30 s). Which bound ended a command is
// read from its message, never from a stopwatch; the suite's timeout only keeps a hang from lasting.

let dir = '';
const servers: Server[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vpngw-cli-robust-'));
});
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A tiny HTTP server on a free loopback port; returns its URL. */
async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Runs the CLI with a scratch HOME of its own (so no stored login leaks between tests). */
async function cli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult & { home: string }> {
  const home = mkdtempSync(join(dir, 'home-'));
  const result = await runCli(args, { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...env }, input);
  return { ...result, home };
}

const token = { IONOS_TOKEN: 'test-token' };

describe('the CLI with misbehaving servers and bad input', { concurrency: true, timeout: 120_000 }, () => {
  test('a server that accepts but never answers: a plain command gives up within the 30 s request bound, status 1', async () => {
    const url = await startServer(() => undefined);
    const result = await cli(['wireguard', 'gateway', 'list'], { VPNGW_API_URL: url, ...token });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`no answer from ${url}/wireguardgateways\\S* within 30 s`));
  });

  test('--wait --wait-timeout 2 bounds the whole command, also a request that never gets an answer', async () => {
    const url = await startServer(() => undefined);
    const result = await cli(['wireguard', 'gateway', 'delete', 'gw-1', '--wait', '--wait-timeout', '2'], { VPNGW_API_URL: url, ...token });
    assert.equal(result.status, 1, result.stderr);
    // The request was cut short by what was left of the 2 s, not by the 30 s bound of a single request.
    assert.match(result.stderr, /no answer from .* within [0-9.]+ s \(--wait-timeout\)/);
    assert.doesNotMatch(result.stderr, /within 30 s/);
  });

  test('--wait-timeout also cuts short a poll whose GET never gets an answer', async () => {
    // DELETE is accepted, then the GETs of the polling hang.
    const url = await startServer((req, res) => {
      if (req.method === 'DELETE') res.writeHead(202).end();
    });
    const result = await cli(['wireguard', 'gateway', 'delete', 'gw-1', '--wait', '--wait-timeout', '2'], { VPNGW_API_URL: url, ...token });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /gave up waiting for WireGuard gateway gw-1 after [0-9]+s \(--wait-timeout\)/);
  });

  test('a 2xx answer that is not JSON is reported by status and content type, without the page', async () => {
    const url = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx</body></html>'));
    const result = await cli(['wireguard', 'gateway', 'list'], { VPNGW_API_URL: url, ...token });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`the server at ${url}/\\S+ answered 200 with something that is not JSON \\(content-type text/html\\)`));
    assert.ok(!result.stderr.includes('<html') && !result.stderr.includes('nginx'), result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  });

  test('logout keeps the stored token and fails when the server could not revoke it; --force removes it anyway', async () => {
    const url = await startServer((_req, res) => res.writeHead(503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ httpStatus: 503, messages: [{ errorCode: 'VPN-503', message: 'the store is unreachable' }] })));
    const home = mkdtempSync(join(dir, 'logout-'));
    const file = join(home, 'config', 'vpngw', 'credentials.json');
    mkdirSync(join(home, 'config', 'vpngw'), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ apiUrl: url, token: 'stored-secret-token' }), { mode: 0o600 });
    const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
    const kept = await runCli(['logout'], env);
    assert.equal(kept.status, 1, kept.stderr);
    assert.ok(existsSync(file), 'the token is still valid, so the file stays');
    assert.match(kept.stderr, /could not revoke the token \(the API answered 503 VPN-503: the store is unreachable\); it is still valid .* was kept/);
    assert.ok(!`${kept.stdout}${kept.stderr}`.includes('stored-secret-token'));
    const forced = await runCli(['logout', '--force'], env);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(existsSync(file), false);
    assert.match(forced.stderr, /still valid/);
    assert.ok(!`${forced.stdout}${forced.stderr}`.includes('stored-secret-token'));
  });

  test('contract create: an unreadable password file and an unknown option are one-line usage errors, status 2', async () => {
    const env = { VPNGW_DATA_DIR: join(dir, 'contract-data') };
    const missing = await cli(['contract', 'create', '--admin-email', 'a@b.test', '--admin-password-file', '/nonexistent'], env);
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /^vpngw contract create: cannot read the administrator password from \/nonexistent: ENOENT$/m);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
    const unknown = await cli(['contract', 'create', '--admin-email', 'a@b.test', '--bogus'], env);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /^vpngw contract create: Unknown option '--bogus'/m);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace');
  });

  test('--from-file with a key file given by mistake says it is not JSON and prints no part of the key', async () => {
    const { privateKey } = generateWireguardKeyPair();
    const keyFile = join(dir, 'gateway.key');
    writeFileSync(keyFile, `${privateKey}\n`, { mode: 0o600 });
    const result = await cli(['wireguard', 'gateway', 'create', '--from-file', keyFile], { VPNGW_API_URL: 'http://127.0.0.1:9', ...token });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`--from-file: ${keyFile} is not valid JSON`));
    const output = `${result.stdout}${result.stderr}`;
    for (let i = 0; i + 5 <= privateKey.length; i++) assert.ok(!output.includes(privateKey.slice(i, i + 5)), `part of the key in: ${output}`);
  });
});
