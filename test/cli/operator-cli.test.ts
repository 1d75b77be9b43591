import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MIGRATION_NAMES } from '../../src/store/migrations.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basicAuth, startTestService, type TestService } from '../support/test-service.ts';
import { runCli } from './support/cli-harness.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const PATH = { PATH: process.env.PATH ?? '' };
const SCHEMA = MIGRATION_NAMES.at(-1) ?? '';

interface Serve {
  url: string;
  output(): string;
  /** Resolves with the exit status once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** `vpngw serve` with exactly this environment; resolves once it answers /healthz or has exited. */
async function startServe(env: Record<string, string>, port: number): Promise<Serve> {
  const child = spawn(process.execPath, ['bin/vpngw.js', 'serve'], { cwd: ROOT, env: { ...PATH, VPNGW_PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  let done = false;
  void exited.then(() => (done = true));
  while (!done && Date.now() < deadline) {
    try {
      // Bounded: a port held by something that never answers must not hold the loop for undici's 300 s.
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url, exited, output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** The lines a failed start wrote, for asserting there is one clear line and no stack trace. */
function assertOneLineFailure(status: number | null, output: string, message: RegExp) {
  assert.notEqual(status, 0);
  const lines = output.trimEnd().split('\n').filter((line) => line.startsWith('vpngw serve:'));
  assert.equal(lines.length, 1, output);
  assert.match(lines[0] ?? '', message);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
}

describe('vpngw version', () => {
  test('vpngw version and vpngw --version print the release and the schema version', async () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    for (const args of [['version'], ['--version']]) {
      const result = await runCli(args, PATH);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, `vpngw ${version}\nschema ${Number.parseInt(SCHEMA, 10)} (${SCHEMA})\n`);
    }
  });
});

describe('vpngw serve, as an operator sees it', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpngw-serve-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('the first start names the URL, /docs and vpngw login, keeps the generated password in a 0600 file and never prints it off a terminal', async () => {
    const dataDir = join(scratch(), 'data');
    const serve = await startServe({ VPNGW_DATA_DIR: dataDir }, await freePort());
    try {
      const file = join(dataDir, 'initial-admin-password');
      assert.ok(existsSync(file), serve.output());
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const password = readFileSync(file, 'utf8').trim();
      assert.ok(password.length >= 16);
      const output = serve.output();
      assert.ok(!output.includes(password), 'the password is in no output that a log would keep');
      assert.ok(output.includes(`vpngw is serving ${serve.url}`), output);
      assert.ok(output.includes(`${serve.url}/docs`), output);
      assert.ok(output.includes(`vpngw login --api-url ${serve.url} --username admin@vpngw.local --password-file ${file}`), output);
      const answer = await fetch(`${serve.url}/wireguardgateways`, { headers: { authorization: basicAuth('admin@vpngw.local', password) } });
      assert.equal(answer.status, 200, 'the password in the file is the administrator\'s');
    } finally {
      await serve.stop();
    }
    // A later start with VPNGW_ADMIN_PASSWORD says, in one warning, that it is ignored; no banner again.
    const again = await startServe({ VPNGW_DATA_DIR: dataDir, VPNGW_ADMIN_PASSWORD: 'a-password-that-changes-nothing' }, await freePort());
    try {
      const warnings = again.output().split('\n').filter((line) => line.includes('VPNGW_ADMIN_PASSWORD is set but ignored'));
      assert.equal(warnings.length, 1, again.output());
      assert.equal(JSON.parse(warnings[0] ?? '{}').level, 40, 'a warning');
      assert.ok(!again.output().includes('vpngw is serving'), 'the banner is for the first start only');
      assert.ok(!again.output().includes('a-password-that-changes-nothing'));
    } finally {
      await again.stop();
    }
    // Once the password is reset, the file no longer holds it and goes.
    const reset = await runCli(['admin', 'reset-password', '--email', 'admin@vpngw.local', '--data-dir', dataDir], { ...PATH, VPNGW_NEW_PASSWORD: 'the-operators-own-password' });
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stdout, /Removed the generated first-start password file/);
    assert.ok(!existsSync(join(dataDir, 'initial-admin-password')));
  });

  test('a port already in use is one clear line and a non-zero exit, not a stack trace', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const serve = await startServe({ VPNGW_DATA_DIR: join(scratch(), 'data'), VPNGW_ADMIN_PASSWORD: 'an-admin-password' }, port);
      const status = await serve.exited;
      assertOneLineFailure(status, serve.output(), new RegExp(`^vpngw serve: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    } finally {
      blocker.close();
    }
  });

  test('a data directory whose database a newer vpngw migrated is refused at start with one clear line', async () => {
    const dataDir = join(scratch(), 'data');
    const store = await openSqliteStore(join(dataDir, 'vpngw.sqlite'));
    await store.close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dataDir, 'vpngw.sqlite'));
    db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999-from-a-newer-release', new Date().toISOString());
    db.close();
    const serve = await startServe({ VPNGW_DATA_DIR: dataDir, VPNGW_ADMIN_PASSWORD: 'an-admin-password' }, await freePort());
    assertOneLineFailure(await serve.exited, serve.output(), /^vpngw serve: the database was written by a newer vpngw: .*9999-from-a-newer-release/);
  });

  test('VPNGW_LOG_FORMAT=pretty writes one readable line per entry; another value is a usage error', async () => {
    const serve = await startServe({ VPNGW_DATA_DIR: join(scratch(), 'data'), VPNGW_ADMIN_PASSWORD: 'an-admin-password', VPNGW_LOG_FORMAT: 'pretty' }, await freePort());
    try {
      await fetch(`${serve.url}/wireguardgateways`, { headers: { authorization: basicAuth('admin@vpngw.local', 'an-admin-password') } });
      const listening = serve.output().split('\n').find((line) => line.includes('Server listening at'));
      assert.match(listening ?? '', /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+$/, serve.output());
      assert.ok(!serve.output().includes('an-admin-password'), 'redaction holds in the readable format too');
      assert.ok(!serve.output().split('\n').some((line) => line.startsWith('{"level"')), 'no JSON lines');
    } finally {
      await serve.stop();
    }
    const wrong = await startServe({ VPNGW_DATA_DIR: join(scratch(), 'data'), VPNGW_LOG_FORMAT: 'xml' }, await freePort());
    assert.equal(await wrong.exited, 2);
    assert.match(wrong.output(), /^vpngw serve: VPNGW_LOG_FORMAT must be "json" or "pretty"\.$/m);
  });
});

describe('vpngw admin reset-password', () => {
  let svc: TestService;
  let dir: string;
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(['admin', 'reset-password', ...args], { ...PATH, ...svc.env, ...env }, input);
  const status = async (authorization: string) => (await svc.request('GET', '/wireguardgateways', undefined, { authorization })).status;

  before(async () => {
    svc = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'vpngw-reset-'));
  });
  after(async () => {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sets the password from a file and revokes the user\'s tokens; the running server takes both at once', async () => {
    const token = (await svc.request('GET', '/auth/v1/tokens/generate')).body.token as string;
    assert.equal(await status(`Bearer ${token}`), 200);
    const file = join(dir, 'new-password');
    writeFileSync(file, 'the-new-admin-password\n', { mode: 0o600 });
    const result = await cli(['--email', ADMIN_EMAIL.toUpperCase(), '--password-file', file]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Set the password of ${ADMIN_EMAIL} \\(contract 31000001\\) and revoked 1 token\\.\\n$`));
    assert.ok(!result.stdout.includes('the-new-admin-password') && !result.stderr.includes('the-new-admin-password'));
    assert.equal(await status(basicAuth(ADMIN_EMAIL, ADMIN_PASSWORD)), 401, 'the old password no longer works');
    assert.equal(await status(`Bearer ${token}`), 401, 'the token issued before is revoked');
    assert.equal(await status(basicAuth(ADMIN_EMAIL, 'the-new-admin-password')), 200);
  });

  test('reads the password from VPNGW_NEW_PASSWORD or standard input; never from an argument', async () => {
    assert.equal((await cli(['--email', ADMIN_EMAIL], { VPNGW_NEW_PASSWORD: 'from-the-environment' })).status, 0);
    assert.equal(await status(basicAuth(ADMIN_EMAIL, 'from-the-environment')), 200);
    assert.equal((await cli(['--email', ADMIN_EMAIL], {}, 'from-standard-input\n')).status, 0);
    assert.equal(await status(basicAuth(ADMIN_EMAIL, 'from-standard-input')), 200);

    const given = await cli(['--email', ADMIN_EMAIL, '--password', 'on-the-command-line']);
    assert.equal(given.status, 2);
    assert.match(given.stderr, /^vpngw admin reset-password: Unknown option '--password'/);
    const short = await cli(['--email', ADMIN_EMAIL], { VPNGW_NEW_PASSWORD: 'short' });
    assert.equal(short.status, 2);
    assert.match(short.stderr, /at least 8 characters/);
    const unknown = await cli(['--email', 'nobody@example.com'], { VPNGW_NEW_PASSWORD: 'a-long-password' });
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, 'vpngw admin reset-password: there is no user with the email nobody@example.com.\n');
    assert.equal(await status(basicAuth(ADMIN_EMAIL, 'from-standard-input')), 200, 'nothing changed');
  });
});
