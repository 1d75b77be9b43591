import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { wireguardGateway } from '../support/fixtures.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres-database.ts';
import { basicAuth, eventually } from '../support/test-service.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN = { email: 'drain@example.com', password: 'drain-test-password' };

interface RunningServe {
  child: ChildProcess;
  port: number;
  dataDir: string;
  /** Every JSON log line so far. */
  logs: () => Array<{ msg: string; level: number; [key: string]: unknown }>;
  /** What it wrote to stderr (a crash). */
  stderr: () => string;
  exited: Promise<number | null>;
}

/** A real `vpngw serve` (files driver) on a free loopback port, its JSON log lines collected. */
async function launch(env: Record<string, string> = {}): Promise<RunningServe> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-drain-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env, VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: ADMIN.email, VPNGW_ADMIN_PASSWORD: ADMIN.password,
      VPNGW_LOG_LEVEL: 'info', VPNGW_LOG_FORMAT: 'json', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () => stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`vpngw serve exited with ${child.exitCode}: ${stderr}`);
    return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
  }, 30_000, 'vpngw serve to answer /healthz');
  return { child, port, dataDir, logs, stderr: () => stderr, exited };
}

/** A raw connection, so a test can send part of a request and the rest later. */
async function rawConnection(port: number): Promise<{ socket: Socket; response: Promise<{ status: number; body: any }> }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('error', reject);
    socket.once('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, body: body ? JSON.parse(body) : undefined });
    });
  });
  return { socket, response };
}

/** A gateway create whose headers and first half of the body are sent now; `finish` sends the rest. */
async function slowCreate(port: number) {
  const body = JSON.stringify(wireguardGateway({ name: 'created during the drain' }));
  const half = Math.floor(body.length / 2);
  const { socket, response } = await rawConnection(port);
  socket.write(`POST /wireguardgateways HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basicAuth(ADMIN.email, ADMIN.password)}\r\n`
    + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
  return { response, finish: () => socket.write(body.slice(half)) };
}

const refusesConnections = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(false); });
  socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readyz(port: number, server: RunningServe) {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(async (error: unknown) => {
    await sleep(1000);
    throw new Error(`GET /readyz failed (${String(error)}: ${String((error as { cause?: unknown }).cause)}); exit code ${server.child.exitCode}, stderr: ${server.stderr()}`);
  });
  return { status: res.status, body: await res.json() as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
}

describe('vpngw serve on SIGTERM', () => {
  test('a request in flight completes, new connections are refused, /readyz on an open connection says "shutting down", exit 0', async () => {
    const server = await launch();
    const create = await slowCreate(server.port);
    // A probe whose request has begun but whose headers are not finished: its connection is busy, not idle.
    const probe = await rawConnection(server.port);
    probe.socket.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await sleep(300);

    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    await eventually(async () => server.logs().some((l) => l.msg === 'shutting down'), 10_000, 'the "shutting down" log line');
    await eventually(() => refusesConnections(server.port), 5000, 'new connections to be refused');

    probe.socket.write('\r\n');
    const probeAnswer = await probe.response;
    assert.equal(probeAnswer.status, 503);
    assert.equal(probeAnswer.body.status, 'shutting down');
    assert.deepEqual(probeAnswer.body.messages, [{ errorCode: 'NOT_READY', message: 'shutting down' }]);
    assert.equal(server.child.exitCode, null, 'still draining while a request is in flight');

    create.finish();
    const created = await create.response;
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.properties.name, 'created during the drain');

    assert.equal(await server.exited, 0, JSON.stringify(server.logs().slice(-5)));
    const stopped = server.logs().find((l) => l.msg === 'stopped');
    assert.ok(stopped && typeof stopped.durationMs === 'number', 'a "stopped" line with the duration');
    assert.ok(performance.now() - signalledAt < 15_000);
    assert.ok(!server.logs().some((l) => l.level >= 40), 'no warning in a drain that finished in time');
  });

  test('a request that never completes is cut at VPNGW_SHUTDOWN_TIMEOUT_MS: one warning naming it, exit 1; a second SIGTERM starts nothing', async () => {
    const server = await launch({ VPNGW_SHUTDOWN_TIMEOUT_MS: '700' });
    const stuck = await slowCreate(server.port);
    await sleep(300);
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    await eventually(async () => server.logs().some((l) => l.msg === 'shutting down'), 10_000, 'the "shutting down" log line');
    server.child.kill('SIGTERM');
    const code = await server.exited;
    const tookMs = performance.now() - signalledAt;
    assert.equal(code, 1);
    assert.ok(tookMs >= 700 && tookMs < 700 + 5000, `exited after ${Math.round(tookMs)} ms`);
    const warnings = server.logs().filter((l) => l.level >= 40);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]?.msg ?? '', /shutdown timed out after 700 ms, still pending: 1 request in flight/);
    assert.equal(server.logs().filter((l) => l.msg === 'shutting down').length, 1);
    assert.equal((await stuck.response).status, 0, 'the stuck connection was closed without an answer');
  });
});

describe('/readyz of a running vpngw serve', () => {
  test('503 naming the data plane while the files driver cannot write its directory, 200 again after', async () => {
    const server = await launch({ VPNGW_RECONCILE_INTERVAL_MS: '200' });
    const ready = await readyz(server.port, server);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.checks, { store: 'ok', reconciler: 'ok', dataPlane: 'ok' });
    assert.equal(typeof ready.body.schema.version, 'number');

    const directory = join(server.dataDir, 'dataplane');
    rmSync(directory, { recursive: true, force: true });
    writeFileSync(directory, 'not a directory');
    const notReady = await eventually(async () => { const r = await readyz(server.port, server); return r.status === 503 && r; }, 10_000, '/readyz 503');
    assert.deepEqual(notReady.body.messages, [{ errorCode: 'NOT_READY', message: `data plane: ${directory} is not a directory` }]);
    assert.deepEqual(notReady.body.checks, { store: 'ok', reconciler: 'ok', dataPlane: `${directory} is not a directory` });

    rmSync(directory);
    await eventually(async () => (await readyz(server.port, server)).status === 200, 10_000, '/readyz 200 again');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });

  test('503 "store: not reachable" while PostgreSQL cannot be reached, 200 again after', { skip: postgresUnavailable() }, async () => {
    const database = await createTestDatabase();
    after(() => database.drop());
    // The service reaches PostgreSQL through a loopback relay the test can cut and restore.
    const target = new URL(database.url);
    const relay = await startRelay(target.hostname, Number(target.port || 5432));
    after(() => relay.cut());
    target.hostname = '127.0.0.1';
    target.port = String(relay.port);
    const server = await launch({ VPNGW_DATABASE_URL: target.toString(), VPNGW_RECONCILE_INTERVAL_MS: '200' });
    assert.equal((await readyz(server.port, server)).status, 200);

    await relay.cut();
    const notReady = await eventually(async () => { const r = await readyz(server.port, server); return r.status === 503 && r; }, 10_000, '/readyz 503');
    assert.equal(notReady.body.checks.store, 'not reachable');
    assert.ok(notReady.body.messages.some((m: { message: string }) => m.message === 'store: not reachable'));
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200, '/healthz needs no store');

    await relay.restore();
    await eventually(async () => (await readyz(server.port, server)).status === 200, 15_000, '/readyz 200 again');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });
});

/** A TCP relay on a loopback port: cut() drops every connection and stops listening, restore() listens again. */
async function startRelay(host: string, port: number) {
  const sockets = new Set<Socket>();
  let listener: Server | undefined;
  const listenPort = await freePort();
  const listen = () => new Promise<void>((resolve, reject) => {
    listener = createServer((client) => {
      const upstream = connect(port, host);
      for (const s of [client, upstream]) { sockets.add(s); s.once('close', () => sockets.delete(s)); s.on('error', () => undefined); }
      client.pipe(upstream).pipe(client);
    });
    listener.once('error', reject);
    listener.listen(listenPort, '127.0.0.1', () => resolve());
  });
  await listen();
  return {
    port: listenPort,
    async cut() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
      listener = undefined;
    },
    restore: listen,
  };
}
