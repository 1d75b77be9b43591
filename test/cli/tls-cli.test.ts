import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { isCi } from '../support/ci.ts';
import { freePort } from '../support/free-port.ts';
import { eventually } from '../support/test-service.ts';
import { hasOpenssl, makeServerCertificate, makeTestCa, type TestCa, type TestServerCertificate } from '../support/test-certificates.ts';
import { runCli } from './support/cli-harness.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN = { email: 'admin@tls.test', password: 'tls-admin-password-1' };
const opensslMissing = !(await hasOpenssl());
if (opensslMissing) {
  if (isCi()) throw new Error('openssl is required for the TLS tests under CI (scripts/install-test-prerequisites.sh installs it)');
  process.stderr.write('\n*** SKIPPING the HTTPS tests: the openssl command is not installed (apt-get install openssl) ***\n\n');
}

interface Serve {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function spawnServe(env: Record<string, string>): Serve {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child, exited, output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The certificate the server presents to a new connection, by its SHA-256 fingerprint. */
function servedFingerprint(port: number, options: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}

const fingerprintOf = (certFile: string) => new X509Certificate(readFileSync(certFile)).fingerprint256;

/** Copies a certificate and key over the files the server was started with. */
function install(from: TestServerCertificate, to: TestServerCertificate) {
  copyFileSync(from.certFile, to.certFile);
  copyFileSync(from.keyFile, to.keyFile);
}

describe('HTTPS: vpngw serve with a certificate, and the CLI verifying it', { skip: opensslMissing && 'openssl is not installed' }, () => {
  let dir: string;
  let ca: TestCa;
  let first: TestServerCertificate;
  let renewed: TestServerCertificate;
  /** The files the server reads: copies, replaced by the tests. */
  let live: TestServerCertificate;
  let port: number;
  let apiUrl: string;
  let serve: Serve;
  let trusting: Agent;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vpngw-tls-'));
    ca = await makeTestCa(dir);
    first = await makeServerCertificate(dir, ca, 'first');
    renewed = await makeServerCertificate(dir, ca, 'renewed');
    live = { certFile: join(dir, 'live.pem'), keyFile: join(dir, 'live.key') };
    install(first, live);
    writeFileSync(join(dir, 'admin-password'), ADMIN.password);
    port = await freePort();
    apiUrl = `https://127.0.0.1:${port}`;
    serve = spawnServe({
      VPNGW_DATA_DIR: join(dir, 'data'), VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: ADMIN.email, VPNGW_ADMIN_PASSWORD: ADMIN.password,
      VPNGW_RECONCILE_INTERVAL_MS: '60000', VPNGW_TLS_CERT: live.certFile, VPNGW_TLS_KEY: live.keyFile,
    });
    trusting = new Agent({ connect: { ca: readFileSync(ca.certFile, 'utf8') } });
    await eventually(async () => {
      if (serve.child.exitCode !== null) throw new Error(`vpngw serve exited: ${serve.output()}`);
      return fetch(`${apiUrl}/healthz`, { dispatcher: trusting, signal: AbortSignal.timeout(1000) } as RequestInit).then((r) => r.ok, () => false);
    }, 30_000, 'vpngw serve over HTTPS');
  });

  after(async () => {
    await serve?.stop();
    await trusting?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cliEnv = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), VPNGW_API_URL: apiUrl, ...extra,
  });
  const adminEnv = { IONOS_USERNAME: ADMIN.email, IONOS_PASSWORD: ADMIN.password };

  test('the first-run banner names the https:// URL; plain HTTP on the port gets no API answer', async () => {
    assert.ok(serve.output().includes(`vpngw is serving ${apiUrl}`), serve.output());
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 'refused');
    assert.notEqual(plain, 200);
  });

  test('the CLI refuses a certificate it cannot verify with one clear line, and trusts it with --ca-file or VPNGW_CA_FILE', async () => {
    const untrusted = await runCli(['wireguard', 'gateway', 'list'], cliEnv(adminEnv));
    assert.notEqual(untrusted.status, 0);
    assert.equal(untrusted.stdout, '');
    const lines = untrusted.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, untrusted.stderr);
    assert.match(lines[0] ?? '', /^vpngw wireguard gateway list: the server's certificate is not trusted: .+\(.*use --ca-file/);
    assert.doesNotMatch(untrusted.stderr, /^\s+at /m, 'no stack trace');

    const withFlag = await runCli(['wireguard', 'gateway', 'list', '-o', 'json', '--ca-file', ca.certFile], cliEnv(adminEnv));
    assert.equal(withFlag.status, 0, withFlag.stderr);
    assert.deepEqual(withFlag.json().items, []);
    const withEnv = await runCli(['ipsec', 'gateway', 'list', '-o', 'json'], cliEnv({ ...adminEnv, VPNGW_CA_FILE: ca.certFile }));
    assert.equal(withEnv.status, 0, withEnv.stderr);

    // Another CA's certificate is no substitute.
    const otherCa = await makeTestCa(dir, 'other-ca');
    const wrongCa = await runCli(['wireguard', 'gateway', 'list', '--ca-file', otherCa.certFile], cliEnv(adminEnv));
    assert.notEqual(wrongCa.status, 0);
    assert.match(wrongCa.stderr, /the server's certificate is not trusted/);
    const missing = await runCli(['wireguard', 'gateway', 'list', '--ca-file', join(dir, 'nope.pem')], cliEnv(adminEnv));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read the CA file .*nope\.pem: ENOENT/);
  });

  test('vpngw login keeps the CA file with the token: later commands and logout trust it without the option', async () => {
    const login = await runCli(['login', '--username', ADMIN.email, '--password-file', join(dir, 'admin-password'), '--ca-file', ca.certFile], cliEnv());
    assert.equal(login.status, 0, login.stderr);
    const stored = JSON.parse(readFileSync(join(dir, 'config', 'vpngw', 'credentials.json'), 'utf8')) as Record<string, string>;
    assert.equal(stored.caFile, ca.certFile);
    const list = await runCli(['wireguard', 'gateway', 'list', '-o', 'json'], cliEnv());
    assert.equal(list.status, 0, list.stderr);
    const logout = await runCli(['logout'], cliEnv());
    assert.equal(logout.status, 0, logout.stderr);
    assert.match(logout.stdout, /^Logged out of /);
  });

  test('TLS 1.2 is the oldest protocol served: a TLS 1.1 client is refused', async () => {
    // The client allows TLS 1.0/1.1 at OpenSSL's lowest security level, so the refusal is the server's.
    const old = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    await assert.rejects(servedFingerprint(port, old), (error: Error & { code?: string }) => {
      assert.match(`${error.code} ${error.message}`, /protocol|version|alert/i);
      return true;
    });
    assert.equal(await servedFingerprint(port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }), fingerprintOf(first.certFile));
  });

  test('certificate reloads: SIGHUP and changed files put a new one in use; a broken one is refused and the previous keeps serving', async () => {
    assert.equal(await servedFingerprint(port), fingerprintOf(first.certFile));

    install(renewed, live);
    serve.child.kill('SIGHUP');
    await eventually(async () => (await servedFingerprint(port)) === fingerprintOf(renewed.certFile), 5000, 'the renewed certificate after SIGHUP');
    assert.equal(serve.child.exitCode, null, 'SIGHUP did not end the process');
    const reloads = () => serve.output().split('\n').filter((line) => line.includes('TLS certificate reloaded'));
    await eventually(async () => reloads().some((line) => line.includes('"reason":"SIGHUP"')), 5000, 'a reload by SIGHUP in the log');

    // A key that is not the certificate's: a warning, and the renewed certificate stays.
    const warningsBefore = serve.output().split('TLS certificate not reloaded').length;
    copyFileSync(first.keyFile, live.keyFile);
    serve.child.kill('SIGHUP');
    await eventually(async () => serve.output().split('TLS certificate not reloaded').length > warningsBefore, 5000, 'the reload warning');
    assert.match(serve.output(), /key values mismatch/);
    assert.equal(await servedFingerprint(port), fingerprintOf(renewed.certFile));
    writeFileSync(live.certFile, 'not a certificate\n');
    serve.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await servedFingerprint(port), fingerprintOf(renewed.certFile));
    const health = await fetch(`${apiUrl}/healthz`, { dispatcher: trusting } as RequestInit);
    assert.equal(health.status, 200);
    assert.equal(serve.child.exitCode, null);

    // Replacing the files is enough, without a signal (the directory is watched).
    const byWatch = reloads().filter((line) => line.includes('"reason":"file changed"')).length;
    install(first, live);
    await eventually(async () => (await servedFingerprint(port)) === fingerprintOf(first.certFile), 5000, 'the certificate after the files changed');
    assert.ok(reloads().filter((line) => line.includes('"reason":"file changed"')).length > byWatch, 'reloaded by the watch, not a signal');

    for (const key of [first.keyFile, renewed.keyFile]) {
      const body = readFileSync(key, 'utf8').split('\n').filter((line) => line && !line.startsWith('-----'));
      for (const line of body) assert.ok(!serve.output().includes(line), 'no line of a private key in the logs');
    }
  });
});

describe('HTTPS settings that cannot work stop vpngw serve with one line', { skip: opensslMissing && 'openssl is not installed' }, () => {
  let dir: string;
  let first: TestServerCertificate;
  let other: TestServerCertificate;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vpngw-tls-bad-'));
    const ca = await makeTestCa(dir);
    first = await makeServerCertificate(dir, ca, 'first');
    other = await makeServerCertificate(dir, ca, 'other');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function failedStart(env: Record<string, string>) {
    const serve = spawnServe({ VPNGW_DATA_DIR: join(dir, 'data'), VPNGW_PORT: String(await freePort()), VPNGW_ADMIN_PASSWORD: 'an-admin-password', ...env });
    const status = await serve.exited;
    const lines = serve.output().trimEnd().split('\n').filter((line) => line.startsWith('vpngw serve:'));
    assert.equal(lines.length, 1, serve.output());
    assert.doesNotMatch(serve.output(), /^\s+at /m, 'no stack trace');
    return { status, line: lines[0] ?? '', output: serve.output() };
  }

  test('a certificate without its key is a configuration error (exit 2)', async () => {
    const result = await failedStart({ VPNGW_TLS_CERT: first.certFile });
    assert.equal(result.status, 2);
    assert.match(result.line, /VPNGW_TLS_CERT and VPNGW_TLS_KEY .* give both files or neither/);
  });

  test('an unreadable file, a file that is no PEM and a key of another certificate end the start (exit 1)', async () => {
    const missing = await failedStart({ VPNGW_TLS_CERT: join(dir, 'missing.pem'), VPNGW_TLS_KEY: first.keyFile });
    assert.equal(missing.status, 1);
    assert.match(missing.line, /^vpngw serve: cannot read the TLS certificate .*missing\.pem: ENOENT$/);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not PEM\n');
    const notPem = await failedStart({ VPNGW_TLS_CERT: garbage, VPNGW_TLS_KEY: first.keyFile });
    assert.equal(notPem.status, 1);
    assert.match(notPem.line, /cannot be used/);
    const mismatch = await failedStart({ VPNGW_TLS_CERT: first.certFile, VPNGW_TLS_KEY: other.keyFile });
    assert.equal(mismatch.status, 1);
    assert.match(mismatch.line, /cannot be used: key values mismatch/);
    assert.ok(!mismatch.output.includes(readFileSync(other.keyFile, 'utf8').split('\n')[1] ?? '-'), 'the key is not in the output');
  });
});
