/**
 * `npm run bench`: starts the service (`vpngw serve`: SQLite, files driver) as its own process on
 * loopback and measures requests/s and p50/p99 latency with autocannon, next to a bare node:http
 * server (also its own process) answering a body of the same size. One operation is measured again
 * over HTTPS (a throwaway certificate made with openssl), next to a bare node:https server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Agent } from 'undici';
import { freePort } from '../test/support/free-port.ts';
import { hasOpenssl, makeServerCertificate, makeTestCa, type TestServerCertificate } from '../test/support/test-certificates.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PEER_GATEWAYS = 250;
const EMAIL = 'bench@example.com';
const PASSWORD = 'bench-password-123';

interface Row { name: string; rps: number; p50: number; p99: number; errors: number; bytes: number }

const connection = { datacenterId: '5a029f4a-72e5-11ec-90d6-0242ac120003', lanId: '1', ipv4CIDR: '192.168.1.1/24' };
const gatewayBody = (n: number) => JSON.stringify({
  properties: {
    name: `gw-${n}`, gatewayIP: '192.0.2.1', interfaceIPv4CIDR: '172.16.0.1/24', connections: [connection],
    privateKey: Buffer.alloc(32, (n % 250) + 1).toString('base64'),
  },
});
const peerKey = (n: number) => {
  const key = Buffer.alloc(32);
  key.writeUInt32BE(n + 1);
  return key.toString('base64');
};

async function run(name: string, options: autocannon.Options): Promise<Row> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  const bad = result.non2xx + result.errors + result.timeouts;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: bad, bytes: result.throughput.average / Math.max(1, result.requests.average) };
}

/** Over HTTPS, the bench's own requests (start, token, seeding) trust the throwaway CA. */
let dispatcher: Agent | undefined;
const withTrust = (init: RequestInit = {}): RequestInit => (dispatcher ? { ...init, dispatcher } as RequestInit : init);

async function waitUntilUp(url: string, child: ChildProcess) {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    if (await fetch(`${url}/healthz`, withTrust()).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** A bare node:http (or, with a certificate, node:https) server in its own process answering `size` bytes of JSON to anything. */
async function startBaseline(size: number, tls?: TestServerCertificate): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const server = tls
    ? `require('node:https').createServer({ cert: fs.readFileSync(${JSON.stringify(tls.certFile)}), key: fs.readFileSync(${JSON.stringify(tls.keyFile)}), minVersion: 'TLSv1.2' }, answer)`
    : 'require(\'node:http\').createServer(answer)';
  const source = `const fs = require('node:fs'); const body = Buffer.alloc(${size}, 'x');
    const answer = (req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body)); };
    ${server}.listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', source], { stdio: 'ignore' });
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await waitUntilUp(url, child);
  return { url, child };
}

async function startService(dataDir: string, tls?: TestServerCertificate): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      ...process.env, VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: EMAIL, VPNGW_ADMIN_PASSWORD: PASSWORD,
      VPNGW_LOG_LEVEL: 'warn', VPNGW_RATE_LIMIT: '0',
      ...(tls ? { VPNGW_TLS_CERT: tls.certFile, VPNGW_TLS_KEY: tls.keyFile } : {}),
    },
  });
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await waitUntilUp(url, child);
  return { url, child };
}

async function seedGateways(url: string, auth: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const res = await fetch(`${url}/wireguardgateways`, withTrust({ method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: gatewayBody(n) }));
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

async function bearerHeaders(url: string) {
  const basic = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}`;
  const { token } = (await (await fetch(`${url}/auth/v1/tokens/generate`, withTrust({ headers: { authorization: basic } }))).json()) as { token: string };
  return { authorization: `Bearer ${token}`, accept: 'application/json' };
}

/** Runs one operation, then the bare server (same protocol, same body size) with the same load. */
async function measureWithBaseline(rows: Array<Row & { baseline: Row }>, name: string, options: autocannon.Options, tls?: TestServerCertificate) {
  const row = await run(name, options);
  const baseline = await startBaseline(Math.round(row.bytes), tls);
  try {
    rows.push({ ...row, baseline: await run(`node:${tls ? 'https' : 'http'} baseline`, { url: baseline.url, method: options.method ?? 'GET' }) });
  } finally {
    baseline.child.kill();
  }
}

async function measureAll(url: string): Promise<Array<Row & { baseline: Row }>> {
  const headers = await bearerHeaders(url);
  const ids = await seedGateways(url, headers.authorization, PEER_GATEWAYS);
  const rows: Array<Row & { baseline: Row }> = [];
  const measure = (name: string, options: autocannon.Options) => measureWithBaseline(rows, name, options);
  // Warm-up, not reported: the first seconds of a fresh process measure the JIT, not the service.
  await autocannon({ url: `${url}/wireguardgateways/${ids[0]}`, headers, connections: CONNECTIONS, duration: 2 });
  await measure('GET one gateway', { url: `${url}/wireguardgateways/${ids[0]}`, headers });
  await measure('GET a list of 100 gateways', { url: `${url}/wireguardgateways?limit=100`, headers });
  let next = 0;
  await measure('POST a peer', {
    url, headers: { ...headers, 'content-type': 'application/json' }, method: 'POST', amount: PEER_GATEWAYS * 20,
    requests: [{
      setupRequest: (req) => {
        const n = next++;
        // Each peer its own address: a gateway's peers may not overlap.
        const body = JSON.stringify({ properties: { name: `p${n}`, allowedIPs: [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`], publicKey: peerKey(n) } });
        return { ...req, method: 'POST', path: `/wireguardgateways/${ids[n % PEER_GATEWAYS]}/peers`, body };
      },
    }],
  });
  return rows;
}

/**
 * GET one gateway again, from a service serving HTTPS (TLS 1.3 on loopback; autocannon keeps its
 * connections, so this is mostly the record encryption, a handshake per connection only).
 */
async function measureOverTls(rows: Array<Row & { baseline: Row }>): Promise<void> {
  if (!(await hasOpenssl())) {
    console.error('\n*** HTTPS row left out: the openssl command is not installed (it makes the throwaway certificate) ***');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-bench-tls-'));
  const ca = await makeTestCa(dir);
  const certificate = await makeServerCertificate(dir, ca);
  dispatcher = new Agent({ connect: { ca: readFileSync(ca.certFile, 'utf8') } });
  const service = await startService(join(dir, 'data'), certificate);
  try {
    const headers = await bearerHeaders(service.url);
    const [id] = await seedGateways(service.url, headers.authorization, 1);
    await autocannon({ url: `${service.url}/wireguardgateways/${id}`, headers, connections: CONNECTIONS, duration: 2 });
    await measureWithBaseline(rows, 'GET one gateway, HTTPS', { url: `${service.url}/wireguardgateways/${id}`, headers }, certificate);
  } finally {
    await stopService(service);
    await dispatcher.close();
    dispatcher = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
}

// Wait for the service to exit before removing its data directory: it may still be writing there.
async function stopService(service: { child: ChildProcess }) {
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill();
  await exited;
}

function printTable(rows: Array<Row & { baseline: Row }>) {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  console.log(`\n${CONNECTIONS} connections, ${DURATION_S} s per run (POST a peer: ${PEER_GATEWAYS * 20} requests), loopback, server and load generator in separate processes\n`);
  console.log(line(['operation', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'baseline req/s', 'baseline p50/p99 ms', 'vs baseline']));
  console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const r of rows) {
    console.log(line([
      r.name, r.rps.toFixed(0), String(r.p50), String(r.p99), String(r.errors),
      r.baseline.rps.toFixed(0), `${r.baseline.p50}/${r.baseline.p99}`, `${((r.rps / r.baseline.rps) * 100).toFixed(1)} %`,
    ]));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-bench-'));
const service = await startService(dataDir);
let rows: Array<Row & { baseline: Row }>;
try {
  rows = await measureAll(service.url);
} finally {
  await stopService(service);
  rmSync(dataDir, { recursive: true, force: true });
}
await measureOverTls(rows);
printTable(rows);
