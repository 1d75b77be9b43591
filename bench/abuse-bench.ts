/**
 * `npm run bench:abuse`: starts the service (`vpngw serve`, SQLite, default limits) as its own process
 * on loopback and measures what abuse costs a legitimate user:
 *
 * - the latency of each user's first Basic login (a password check, not yet remembered) with no
 *   flood, then while wrong passwords flood in from one and from four client addresses (127.0.0.2…;
 *   Linux routes all of 127/8 to loopback), aimed at the same accounts or at a new email each time
 *   (credential stuffing);
 * - how many of 300 connections that trickle a request body one byte every 2 s (half of them with
 *   valid credentials, half without) the server still holds open after 30 s;
 * - how much of a 50 MB body without credentials the server reads before it closes the connection.
 *
 * The flood runs in a process of its own, so that its answers do not delay the measuring client.
 * Bounded: every request gives up after 30 s, each flood stops after its logins, and the slow-body
 * phase ends after 32 s. Environment: BENCH_FLOOD_CONNECTIONS (per address, default 16),
 * BENCH_SLOW_CONNECTIONS (default 300), BENCH_SLOW_SECONDS (default 30).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const FLOOD_CONNECTIONS = Number(process.env.BENCH_FLOOD_CONNECTIONS ?? 16);
const SLOW_CONNECTIONS = Number(process.env.BENCH_SLOW_CONNECTIONS ?? 300);
const SLOW_SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? 30);
const ADMIN = { email: 'bench@example.com', password: 'bench-password-123' };
const USERS = [1, 2, 3, 4, 5].map((n) => ({ email: `user${n}@example.com`, password: `user-${n}-password` }));
const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Service { url: string; port: number; child: ChildProcess; dataDir: string }
interface Answer { status: number; ms: number; error?: string }

/** One request over its own connection (or the given agent's); never throws, status 0 on a network error. */
function send(port: number, path: string, headers: Record<string, string>, agent?: Agent, localAddress?: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: agent ?? false, ...(localAddress ? { localAddress } : {}), timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - started, error: error.code ?? error.message }));
    req.end();
  });
}

async function startService(): Promise<Service> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-abuse-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT, stdio: 'ignore',
    env: { ...process.env, VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: ADMIN.email, VPNGW_ADMIN_PASSWORD: ADMIN.password, VPNGW_LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300 && child.exitCode === null; i += 1) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, port, child, dataDir };
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

async function stopService(service: Service) {
  service.child.kill('SIGTERM');
  await new Promise((r) => (service.child.exitCode !== null ? r(null) : service.child.once('exit', r)));
  rmSync(service.dataDir, { recursive: true, force: true });
}

async function createUsers(service: Service) {
  for (const user of USERS) {
    const res = await fetch(`${service.url}/cloudapi/v6/um/users`, {
      method: 'POST', headers: { authorization: basic(ADMIN.email, ADMIN.password), 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { firstname: 'B', lastname: 'U', email: user.email, password: user.password } }),
    });
    if (res.status >= 300) throw new Error(`creating ${user.email}: ${res.status} ${await res.text()}`);
  }
}

type Target = 'same' | 'new';
const TARGETS: Record<Target, (worker: number, attempt: number) => string> = {
  same: (worker, attempt) => (USERS[(worker + attempt) % USERS.length] ?? ADMIN).email,
  new: (worker, attempt) => `guess-${worker}-${attempt}-${Math.random().toString(36).slice(2)}@example.com`,
};

/** Wrong passwords for the target's emails, from each address over `FLOOD_CONNECTIONS` keep-alive connections, until stopped. */
function flood(port: number, addresses: string[], targetName: Target) {
  const target = TARGETS[targetName];
  let running = true;
  const statuses = new Map<string, number>();
  const agents = addresses.map((address) => ({ address, agent: new Agent({ keepAlive: true, maxSockets: FLOOD_CONNECTIONS }) }));
  const workers = agents.flatMap(({ address, agent }, a) => Array.from({ length: FLOOD_CONNECTIONS }, async (_, n) => {
    for (let i = 0; running; i += 1) {
      const worker = a * FLOOD_CONNECTIONS + n;
      const { status, error } = await send(port, '/auth/v1/tokens', { authorization: basic(target(worker, i), `guess-${worker}-${i}`) }, agent, address);
      const outcome = error ?? String(status);
      statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
      if (status === 0) await sleep(50);
    }
  }));
  const stop = async () => {
    running = false;
    await Promise.all(workers);
    for (const { agent } of agents) agent.destroy();
  };
  return { statuses, stop };
}

/** The flood in a child process (this file with `flood PORT TARGET ADDRESS...`); stopping it answers its statuses. */
function floodProcess(port: number, addresses: string[], target: Target) {
  if (addresses.length === 0) return { stop: async () => new Map<string, number>() };
  const child = fork(new URL(import.meta.url).pathname, ['flood', String(port), target, ...addresses], { execArgv: ['--import', 'tsx'] });
  const result = new Promise<Map<string, number>>((resolve) => child.once('message', (statuses) => resolve(new Map(statuses as [string, number][]))));
  return { stop: async () => { child.send('stop'); const statuses = await result; child.kill(); return statuses; } };
}

async function floodChild(argv: string[]) {
  const [port, target, ...addresses] = argv;
  const attack = flood(Number(port), addresses, target as Target);
  process.once('message', () => {
    void attack.stop().then(() => process.send?.([...attack.statuses]));
  });
}

/** Each user's first Basic login, one after another, from an address the flood does not use. */
async function firstLogins(port: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const user of USERS) answers.push(await send(port, '/auth/v1/tokens', { authorization: basic(user.email, user.password) }, undefined, '127.0.0.100'));
  return answers;
}

async function loginScenario(name: string, addresses: string[], target: Target) {
  const service = await startService();
  try {
    await createUsers(service);
    const attack = floodProcess(service.port, addresses, target);
    if (addresses.length > 0) await sleep(2000);
    const logins = await firstLogins(service.port);
    const statuses = await attack.stop();
    const ms = logins.map((a) => a.ms).sort((a, b) => a - b);
    const flooded = [...statuses].map(([status, count]) => `${count}×${status}`).join(' ') || '-';
    console.log(`| ${name} | ${ms.map((m) => m.toFixed(0)).join(', ')} | ${(ms[Math.floor(ms.length / 2)] ?? 0).toFixed(0)} | ${logins.map((a) => a.status).join(',')} | ${flooded} |`);
  } finally {
    await stopService(service);
  }
}

/** A POST whose body of `length` bytes then arrives one byte every 2 s; resolves whether the server has closed it. */
function slowBody(port: number, authorization: string | undefined, length: number) {
  let closed = false;
  const socket: Socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => { closed = true; });
  socket.on('close', () => { closed = true; });
  socket.on('end', () => { closed = true; socket.destroy(); });
  socket.on('data', () => undefined);
  socket.write(`POST /wireguardgateways HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${authorization ? `Authorization: ${authorization}\r\n` : ''}\r\n`);
  const timer = setInterval(() => { if (!closed) socket.write('{'); }, 2000);
  return { isOpen: () => !closed, destroy: () => { clearInterval(timer); socket.destroy(); } };
}

function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { socket.off('drain', done); socket.off('close', done); resolve(); };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** How many bytes of a 50 MB body without credentials the server accepts before it closes the connection. */
async function bigUnauthenticatedBody(port: number): Promise<{ sentMB: number; closedByServer: boolean }> {
  const total = 50 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const socket = connect({ host: '127.0.0.1', port });
  let sent = 0;
  let closedByServer = false;
  socket.on('data', () => undefined);
  const done = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => { closedByServer = true; });
    socket.on('end', () => { closedByServer = true; socket.destroy(); });
  });
  socket.write(`POST /wireguardgateways HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`);
  const deadline = Date.now() + 30_000;
  while (sent < total && !socket.destroyed && Date.now() < deadline) {
    if (!socket.write(chunk)) await drainedOrClosed(socket);
    sent += chunk.length;
  }
  await Promise.race([done, sleep(2000)]);
  socket.destroy();
  return { sentMB: Math.min(sent, total) / 1024 / 1024, closedByServer };
}

async function slowScenario() {
  const service = await startService();
  try {
    const auth = basic(ADMIN.email, ADMIN.password);
    const conns = Array.from({ length: SLOW_CONNECTIONS }, (_, n) => slowBody(service.port, n % 2 === 0 ? auth : undefined, 100_000));
    await sleep(2000);
    const openAfter2s = conns.filter((c) => c.isOpen()).length;
    await sleep(SLOW_SECONDS * 1000 - 2000);
    const open = conns.filter((c) => c.isOpen()).length;
    const openAuthenticated = conns.filter((c, n) => n % 2 === 0 && c.isOpen()).length;
    for (const c of conns) c.destroy();
    const big = await bigUnauthenticatedBody(service.port);
    console.log(`| ${SLOW_CONNECTIONS} | ${openAfter2s} | ${open} (${openAuthenticated} with credentials, ${open - openAuthenticated} without) | ${big.sentMB.toFixed(1)} MB, ${big.closedByServer ? 'closed by the server' : 'not closed by the server'} |`);
  } finally {
    await stopService(service);
  }
}

async function main() {
  console.log(`\nFirst Basic login of ${USERS.length} users (ms, sorted) from 127.0.0.100, while wrong passwords flood in over ${FLOOD_CONNECTIONS} connections per address\n`);
  console.log('| flood | first logins (ms) | median (ms) | statuses | flood answers |');
  console.log('|---|---|---|---|---|');
  const four = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  await loginScenario('none', [], 'same');
  await loginScenario('1 address, the same accounts', ['127.0.0.2'], 'same');
  await loginScenario('4 addresses, the same accounts', four, 'same');
  await loginScenario('1 address, a new email each time', ['127.0.0.2'], 'new');
  await loginScenario('4 addresses, a new email each time', four, 'new');
  console.log(`\nSlow bodies: connections trickling one byte every 2 s (half with credentials), open after ${SLOW_SECONDS} s; a 50 MB body without credentials\n`);
  console.log(`| connections | open after 2 s | open after ${SLOW_SECONDS} s | 50 MB unauthenticated body read |`);
  console.log('|---|---|---|---|');
  await slowScenario();
}

if (process.argv[2] === 'flood') await floodChild(process.argv.slice(3));
else await main();
