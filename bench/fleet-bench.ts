/**
 * `npm run bench:fleet`: the fleet as real processes on loopback. `vpngw serve --driver none`
 * (SQLite) and `vpngw agent --driver files`, each its own process, measured for:
 * 1. an agent with BENCH_GATEWAYS WireGuard gateways placed on it (addresses in one delegated block):
 *    its first start until every gateway is AVAILABLE, and after a SIGTERM and BENCH_CHANGED changed
 *    gateways, its restart until those are applied and AVAILABLE, with how many files it rewrote;
 * 2. BENCH_PEER_POSTS peer POSTs: from the API's 201 to the peer in the agent's file (polled every 5 ms);
 * 3. a second server's CPU time and RSS, idle with no agent, then with BENCH_AGENTS idle agents watching.
 * The linux driver (a first ping through a real tunnel) is not measured here: `npm run bench:dataplane`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 1000);
const PEERS_PER_GATEWAY = Number(process.env.BENCH_PEERS_PER_GATEWAY ?? 3);
const CHANGED = Number(process.env.BENCH_CHANGED ?? 10);
const PEER_POSTS = Number(process.env.BENCH_PEER_POSTS ?? 50);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 20);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const CONCURRENCY = 16;
const ADMIN = { email: 'bench@example.com', password: 'bench-password-123' };
const BASIC = `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}`;
const DATACENTER_ID = '5a029f4a-72e5-11ec-90d6-0242ac120003';
const DELEGATED_BLOCK = '198.18.0.0/15';

interface Proc {
  child: ChildProcess;
  output: () => string;
  /** When a line matching `pattern` was first read from the process, in Date.now() ms. */
  firstAt: (pattern: RegExp) => number | undefined;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const lines: Array<{ at: number; text: string }> = [];
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    lines.push({ at: Date.now(), text: chunk.toString() });
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, firstAt: (pattern) => lines.find((l) => pattern.test(l.text))?.at, exited };
}

async function stop(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 120_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A key per n, distinct across the whole run (32 bytes, base64). */
const key = (tag: number, n: number) => {
  const bytes = Buffer.alloc(32, tag);
  bytes.writeUInt32BE(n + 1, 0);
  return bytes.toString('base64');
};
/** The (n+1)th address of the delegated block. */
const gatewayIp = (n: number) => `198.18.${((n + 1) >> 8) & 255}.${(n + 1) & 255}`;
const gatewayBody = (n: number, ip: string) => ({
  properties: {
    name: `gw-${n}`, gatewayIP: ip, interfaceIPv4CIDR: '172.16.0.1/24',
    connections: [{ datacenterId: DATACENTER_ID, lanId: '2', ipv4CIDR: '192.168.1.100/24' }], privateKey: key(1, n),
  },
});
let peersMade = 0;
const peerBody = () => {
  const n = peersMade++;
  return { publicKey: key(2, n), body: { properties: { name: `p${n}`, publicKey: key(2, n), allowedIPs: [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`] } } };
};

class Server {
  constructor(readonly url: string, readonly proc: Proc) {}

  static async start(dataDir: string): Promise<Server> {
    const port = await freePort();
    const proc = start(['serve'], {
      VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_DRIVER: 'none', VPNGW_ADMIN_EMAIL: ADMIN.email,
      VPNGW_ADMIN_PASSWORD: ADMIN.password, VPNGW_LOG_LEVEL: 'warn', VPNGW_RATE_LIMIT: '0',
    });
    const url = `http://127.0.0.1:${port}`;
    await until('the server', async () => {
      if (proc.child.exitCode !== null) throw new Error(`vpngw serve exited: ${proc.output()}`);
      return fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    }, 60_000, 100);
    return new Server(url, proc);
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetch(`${this.url}${path}`, {
      method, headers: { authorization: BASIC, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  }

  async expect<T = { id: string }>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.api(method, path, body);
    if (answer.status !== status) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
    return answer.body as T;
  }

  /** A single-use enrollment token, written to a 0600 file for the agent. */
  async tokenFile(path: string): Promise<string> {
    const { token } = await this.expect<{ token: string }>(201, 'POST', '/fleet/v1/enrollment-tokens', {});
    writeFileSync(path, `${token}\n`, { mode: 0o600 });
    return path;
  }

  /** Every WireGuard gateway's status, by id. */
  async statuses(): Promise<Map<string, string>> {
    const statuses = new Map<string, string>();
    for (let offset = 0; ; offset += 1000) {
      const page = await this.expect<{ items: Array<{ id: string; metadata: { status: string } }> }>(200, 'GET', `/wireguardgateways?limit=1000&offset=${offset}`);
      for (const item of page.items) statuses.set(item.id, item.metadata.status);
      if (page.items.length < 1000) return statuses;
    }
  }
}

function startAgent(server: Server, dataDir: string, tokenFile: string, name: string, extra: string[]): Proc {
  return start(['agent', '--server', server.url, '--data-dir', dataDir, '--name', name, '--driver', 'files',
    '--enrollment-token-file', tokenFile, ...extra], { VPNGW_LOG_LEVEL: 'info' });
}

async function inParallel<T>(count: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const n = next++;
      results[n] = await work(n);
    }
  }));
  return results;
}

/** The mtime of every file the agent rendered. */
function renderedMtimes(agentDir: string): Map<string, number> {
  const folder = join(agentDir, 'dataplane', 'wireguard');
  return new Map(readdirSync(folder).map((name) => [name, statSync(join(folder, name)).mtimeMs]));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

interface Row { measure: string; value: string }

async function convergeAndLatency(dir: string, rows: Row[]): Promise<void> {
  const server = await Server.start(join(dir, 'server'));
  let agent: Proc | undefined;
  try {
    const seedStarted = Date.now();
    const ids = await inParallel(GATEWAYS, async (n) => {
      const { id } = await server.expect(201, 'POST', '/wireguardgateways', gatewayBody(n, gatewayIp(n)));
      for (let p = 0; p < PEERS_PER_GATEWAY; p += 1) await server.expect(201, 'POST', `/wireguardgateways/${id}/peers`, peerBody().body);
      return id;
    });
    console.error(`seeded ${GATEWAYS} gateways with ${PEERS_PER_GATEWAY} peers each in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
    const agentDir = join(dir, 'agent');
    const tokenFile = await server.tokenFile(join(dir, 'token'));
    const flags = ['--delegated-block', DELEGATED_BLOCK];
    const confOf = (id: string) => join(agentDir, 'dataplane', 'wireguard', `${id}.conf`);
    const allAvailable = async (wanted: string[]) => {
      const statuses = await server.statuses();
      return wanted.every((id) => statuses.get(id) === 'AVAILABLE');
    };

    // 1a. First start: every gateway rendered and reported.
    let started = Date.now();
    agent = startAgent(server, agentDir, tokenFile, 'bench-edge', flags);
    await until('every gateway AVAILABLE', () => allAvailable(ids), 300_000, 100);
    const firstAvailable = Date.now() - started;
    const running = (agent.firstAt(/agent starting/) ?? NaN) - started;
    rows.push({ measure: 'first start: agent process start → "agent starting" logged (Node and tsx loading)', value: `${running.toLocaleString()} ms` });
    rows.push({ measure: `first start: agent process start → first pass done (${GATEWAYS} gateways)`, value: `${((agent.firstAt(/pass completed/) ?? NaN) - started).toLocaleString()} ms` });
    rows.push({ measure: `first start: agent process start → all ${GATEWAYS} AVAILABLE in the API (polled every 100 ms)`, value: `${firstAvailable.toLocaleString()} ms` });

    // 1b. Stopped, 10 gateways changed while it is down, started again.
    agent.child.kill('SIGTERM');
    const code = await agent.exited;
    if (code !== 0) throw new Error(`the agent exited ${code}: ${agent.output()}`);
    const before = renderedMtimes(agentDir);
    const changed = ids.slice(0, CHANGED);
    const added = await Promise.all(changed.map(async (id) => {
      const peer = peerBody();
      await server.expect(201, 'POST', `/wireguardgateways/${id}/peers`, peer.body);
      return { id, publicKey: peer.publicKey };
    }));
    const pending = await server.statuses();
    const notAvailable = changed.filter((id) => pending.get(id) !== 'AVAILABLE').length;
    started = Date.now();
    agent = startAgent(server, agentDir, tokenFile, 'bench-edge', flags);
    await until('the changes applied and reported', async () =>
      added.every(({ id, publicKey }) => readFileSync(confOf(id), 'utf8').includes(publicKey)) && allAvailable(changed), 300_000, 20);
    const reconverged = Date.now() - started;
    await until('the restarted agent\'s pass', () => /pass completed/.test(agent?.output() ?? ''), 60_000);
    rows.push({ measure: 'reconnect: agent process start → "agent starting" logged', value: `${((agent.firstAt(/agent starting/) ?? NaN) - started).toLocaleString()} ms` });
    rows.push({ measure: 'reconnect: agent process start → first pass done', value: `${((agent.firstAt(/pass completed/) ?? NaN) - started).toLocaleString()} ms` });
    const after = renderedMtimes(agentDir);
    const rewritten = [...after].filter(([name, mtime]) => before.get(name) !== mtime).map(([name]) => name);
    const rewrittenGateways = new Set(rewritten.map((name) => name.slice(0, 36)));
    const unexpected = [...rewrittenGateways].filter((id) => !changed.includes(id)).length;
    rows.push({ measure: `reconnect: agent process start → ${CHANGED} changed gateways applied and AVAILABLE (${notAvailable} of them were not AVAILABLE while it was down)`, value: `${reconverged.toLocaleString()} ms` });
    rows.push({ measure: `reconnect: files rewritten (of ${after.size} files, ${GATEWAYS} gateways)`, value: `${rewritten.length} files of ${rewrittenGateways.size} gateways (${unexpected} unchanged ones)` });

    // 2. Peer POST → the peer in the agent's file.
    const latencies: number[] = [];
    for (let i = 0; i < PEER_POSTS; i += 1) {
      const id = ids[(CHANGED + i) % ids.length] as string;
      const peer = peerBody();
      await server.expect(201, 'POST', `/wireguardgateways/${id}/peers`, peer.body);
      const answered = performance.now();
      await until('the peer in the file', () => readFileSync(confOf(id), 'utf8').includes(peer.publicKey), 30_000, 5);
      latencies.push(performance.now() - answered);
    }
    latencies.sort((a, b) => a - b);
    rows.push({ measure: `API 201 → peer in the agent's file (${PEER_POSTS} POSTs, ${GATEWAYS} gateways on the agent), p50`, value: `${percentile(latencies, 50).toFixed(1)} ms` });
    rows.push({ measure: 'API 201 → peer in the agent\'s file, p99', value: `${percentile(latencies, 99).toFixed(1)} ms` });
  } finally {
    await stop(agent);
    await stop(server.proc);
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process in ms (fields 14 and 15 of /proc/PID/stat, after the command name). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function sampleCpu(pid: number): Promise<{ msPerS: number; rss: number }> {
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  return { msPerS: (cpuMs(pid) - cpu0) / ((performance.now() - t0) / 1000), rss: rssMb(pid) };
}

async function idleCpu(dir: string, rows: Row[]): Promise<void> {
  const server = await Server.start(join(dir, 'idle-server'));
  const agents: Proc[] = [];
  try {
    const pid = server.proc.child.pid as number;
    await sleep(3000);
    const baseline = await sampleCpu(pid);
    rows.push({ measure: `server idle, no agent (CPU over ${IDLE_S} s; RSS)`, value: `${baseline.msPerS.toFixed(2)} ms CPU/s; ${baseline.rss.toFixed(0)} MB` });
    for (let i = 0; i < AGENTS; i += 1) {
      const ip = `198.19.1.${i + 1}`;
      await server.expect(201, 'POST', '/wireguardgateways', gatewayBody(100_000 + i, ip));
      const agentDir = join(dir, `idle-agent-${i}`);
      mkdirSync(agentDir);
      agents.push(startAgent(server, agentDir, await server.tokenFile(join(dir, `idle-token-${i}`)), `idle-${i}`, ['--address', ip]));
    }
    await until('every agent\'s first pass', () => agents.every((a) => /pass completed/.test(a.output())), 120_000, 100);
    await until('every gateway AVAILABLE', async () => [...(await server.statuses()).values()].every((s) => s === 'AVAILABLE'), 60_000, 200);
    await sleep(5000);
    const loaded = await sampleCpu(pid);
    const perAgent = (loaded.msPerS - baseline.msPerS) / AGENTS;
    rows.push({ measure: `server with ${AGENTS} idle agents watching, one gateway each (CPU; RSS)`, value: `${loaded.msPerS.toFixed(2)} ms CPU/s; ${loaded.rss.toFixed(0)} MB` });
    rows.push({ measure: 'server CPU per idle connected agent (above the baseline)', value: `${perAgent.toFixed(3)} ms CPU/s (${((perAgent / 1000) * 100).toFixed(4)} % of a core)` });
  } finally {
    await Promise.all(agents.map((a) => stop(a)));
    await stop(server.proc);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-fleet-bench-'));
  const rows: Row[] = [];
  try {
    await convergeAndLatency(dir, rows);
    await idleCpu(dir, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nvpngw fleet: vpngw serve --driver none (SQLite) and vpngw agent --driver files on loopback, one run\n`);
  const width = Math.max(...rows.map((r) => r.measure.length));
  for (const row of rows) console.log(`${row.measure.padEnd(width)}  ${row.value}`);
  console.log('\nA first ping through a real tunnel on a remote host (linux driver) is not measured here.');
}

await main();
