import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { freePort } from '../support/free-port.ts';
import { peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { hasOpenssl, makeServerCertificate, makeTestCa } from '../support/test-certificates.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN = { email: 'admin@agent.test', password: 'agent-admin-password-1' };
const BASIC = `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}`;

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stop(proc: Proc | undefined) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('vpngw agent against a real vpngw serve --driver none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-agent-'));
  let server: Proc | undefined;
  let agent: Proc | undefined;
  let apiUrl = '';
  const agentDir = join(dir, 'agent');
  const tokenFile = join(dir, 'enrollment-token');
  let token = '';

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method, headers: { authorization: BASIC, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  };
  const confOf = (id: string, data = agentDir) => join(data, 'dataplane', 'wireguard', `${id}.conf`);
  const startAgent = (servers: string, extra: string[] = [], data = agentDir) =>
    start(['agent', '--server', servers, '--data-dir', data, '--name', 'edge-1', '--driver', 'files', '--address', '192.0.2.10',
      '--enrollment-token-file', tokenFile, '--reconcile-interval', '2000', '--heartbeat-interval', '1000', ...extra], {});
  const statusOf = async (id: string) => (await api('GET', `/wireguardgateways/${id}`)).body?.metadata?.status as string | undefined;

  before(async () => {
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    server = start(['serve'], {
      VPNGW_DATA_DIR: join(dir, 'server'), VPNGW_PORT: String(port), VPNGW_DRIVER: 'none', VPNGW_ADMIN_EMAIL: ADMIN.email,
      VPNGW_ADMIN_PASSWORD: ADMIN.password, VPNGW_LOG_LEVEL: 'warn', VPNGW_RECONCILE_INTERVAL_MS: '60000',
    });
    await until('the server', async () => (await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false)) || undefined, 30_000);
    const created = await api('POST', '/fleet/v1/enrollment-tokens', {});
    assert.equal(created.status, 201, created.text);
    token = created.body.token;
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  });

  after(async () => {
    await stop(agent);
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  });

  let gatewayId = '';

  test('the agent enrolls (credential 0600, token never logged), renders the gateway on its address and reports it AVAILABLE; another address stays unrendered', async () => {
    // The first server is a closed port: the agent moves on to the second.
    const closed = await freePort();
    agent = startAgent(`http://127.0.0.1:${closed},${apiUrl}`);
    const credentialFile = join(agentDir, 'agent.credential');
    await until('the credential', () => existsSync(credentialFile) || undefined);
    assert.equal(statSync(credentialFile).mode & 0o777, 0o600);
    const gw = await api('POST', '/wireguardgateways', wireguardGateway({ gatewayIP: '192.0.2.10', name: 'on-agent' }));
    assert.equal(gw.status, 201, gw.text);
    gatewayId = gw.body.id;
    const elsewhere = await api('POST', '/wireguardgateways', wireguardGateway({ gatewayIP: '198.51.100.50', name: 'nowhere', interfaceIPv4CIDR: '172.17.0.1/24' }));
    assert.equal(elsewhere.status, 201, elsewhere.text);
    await until('the rendered configuration', () => existsSync(confOf(gatewayId)) || undefined);
    await until('AVAILABLE from the agent', async () => (await statusOf(gatewayId)) === 'AVAILABLE' || undefined);
    assert.equal(existsSync(confOf(elsewhere.body.id)), false, 'a gateway on an address the agent does not hold is not rendered there');
    assert.notEqual(await statusOf(elsewhere.body.id), 'AVAILABLE');
    assert.ok(!agent.output().includes(token), 'the enrollment token is not in the agent\'s output');
    assert.match(agent.output(), /trying the next/);
  });

  test('a peer added later reaches the agent through the watch within two seconds', async () => {
    const started = Date.now();
    const peer = await api('POST', `/wireguardgateways/${gatewayId}/peers`, wireguardPeer({ publicKey: peerKey(7) }));
    assert.equal(peer.status, 201, peer.text);
    await until('the peer in the file', () => readFileSync(confOf(gatewayId), 'utf8').includes(peerKey(7)) || undefined, 2_000);
    const elapsed = Date.now() - started;
    process.stdout.write(`# peer reached the agent in ${elapsed} ms\n`);
  });

  test('drift while the agent runs (a file changed by hand) is repaired by its own full pass within the reconcile interval', async () => {
    const rendered = readFileSync(confOf(gatewayId), 'utf8');
    writeFileSync(confOf(gatewayId), '# changed by hand\n');
    await until('the file repaired', () => readFileSync(confOf(gatewayId), 'utf8') === rendered || undefined, 6_000);
  });

  test('a restarted agent resumes with its credential and adopts what runs', async () => {
    agent?.child.kill('SIGKILL');
    await agent?.exited;
    const rendered = readFileSync(confOf(gatewayId), 'utf8');
    // While it is down the file drifts and a stray gateway appears: the first full snapshot repairs both.
    writeFileSync(confOf(gatewayId), '# changed by hand\n');
    const stray = confOf('00000000-0000-4000-8000-000000000001');
    writeFileSync(stray, rendered);
    agent = startAgent(apiUrl);
    await until('a pass of the restarted agent', () => /pass completed/.test(agent?.output() ?? '') || undefined);
    assert.equal(readFileSync(confOf(gatewayId), 'utf8'), rendered);
    assert.equal(existsSync(stray), false, 'a gateway not in the snapshot is removed');
    assert.ok(rendered.includes(peerKey(7)));
    assert.equal(await statusOf(gatewayId), 'AVAILABLE');
    assert.match(agent.output(), /using the stored credential/);
  });

  test('deleting the gateway removes its files from the agent', async () => {
    const deleted = await api('DELETE', `/wireguardgateways/${gatewayId}`);
    assert.ok(deleted.status === 202 || deleted.status === 204, deleted.text);
    await until('the files removed', () => !existsSync(confOf(gatewayId)) || undefined);
    assert.equal((await api('GET', `/wireguardgateways/${gatewayId}`)).status, 404, 'without an embedded data plane the record goes with the deletion');
  });

  test('SIGTERM stops the agent cleanly', async () => {
    agent?.child.kill('SIGTERM');
    assert.equal(await agent?.exited, 0, agent?.output());
    assert.ok(!agent?.output().includes(token));
  });

  test('a removed host makes the agent exit 3 (not restarted by its unit) with one clear line', async () => {
    agent = startAgent(apiUrl);
    await until('the agent running', () => /pass completed/.test(agent?.output() ?? '') || undefined);
    const hosts = await api('GET', '/fleet/v1/hosts');
    const host = hosts.body.items.find((h: { name: string }) => h.name === 'edge-1');
    assert.equal((await api('DELETE', `/fleet/v1/hosts/${host.id}`)).status, 204);
    const code = await Promise.race([agent.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    assert.equal(code, 3, agent.output());
    assert.match(agent.output(), /vpngw agent: the API server refused this host's credential/);
  });

  test('an HTTPS server whose CA the agent is not given is refused with a clear line; given the CA, the agent enrolls', async (t) => {
    if (!(await hasOpenssl())) {
      if (process.env.CI) assert.fail('openssl is needed for this test');
      t.skip('openssl is not installed');
      return;
    }
    const certs = join(dir, 'certs');
    mkdirSync(certs);
    const ca = await makeTestCa(certs);
    const cert = await makeServerCertificate(certs, ca);
    const port = await freePort();
    const tlsServer = start(['serve'], {
      VPNGW_DATA_DIR: join(dir, 'tls-server'), VPNGW_PORT: String(port), VPNGW_DRIVER: 'none', VPNGW_ADMIN_EMAIL: ADMIN.email,
      VPNGW_ADMIN_PASSWORD: ADMIN.password, VPNGW_LOG_LEVEL: 'warn', VPNGW_TLS_CERT: cert.certFile, VPNGW_TLS_KEY: cert.keyFile,
    });
    try {
      await until('the HTTPS server', () => /listening|https:\/\//i.test(tlsServer.output()) || undefined, 30_000).catch(() => undefined);
      const refused = startAgent(`https://localhost:${port}`, [], join(dir, 'agent-tls'));
      const code = await Promise.race([refused.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
      if (code === 'still running') await stop(refused);
      assert.equal(code, 1, refused.output());
      assert.match(refused.output(), /certificate is not trusted/);
      // Given the CA (--ca-file), the same agent enrolls over HTTPS.
      const dispatcher = new Agent({ connect: { ca: readFileSync(ca.certFile, 'utf8') } });
      const issued = await fetch(`https://localhost:${port}/fleet/v1/enrollment-tokens`, {
        method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body: '{}', dispatcher,
      } as RequestInit);
      assert.equal(issued.status, 201);
      const tlsToken = join(dir, 'tls-token');
      writeFileSync(tlsToken, ((await issued.json()) as { token: string }).token, { mode: 0o600 });
      const trusting = start(['agent', '--server', `https://localhost:${port}`, '--data-dir', join(dir, 'agent-tls'), '--name', 'edge-tls', '--driver', 'files',
        '--enrollment-token-file', tlsToken, '--ca-file', ca.certFile], {});
      try {
        await until('the agent over HTTPS', () => /pass completed/.test(trusting.output()) || undefined);
        assert.ok(existsSync(join(dir, 'agent-tls', 'agent.credential')));
      } finally {
        await stop(trusting);
      }
      await dispatcher.close();
    } finally {
      await stop(tlsServer);
    }
  });
});

