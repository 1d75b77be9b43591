import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asUnitStartsIt } from '../../support/deploy-files.ts';
import { freePort } from '../../support/free-port.ts';
import { operator } from './operator.ts';
import { E2E_ADMIN, httpApiClient, type ApiClient, type E2eService } from './service.ts';
import { eventually } from './system.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** What every API server of one installation shares: the database and the two keys. */
export interface FleetInstallation {
  /** VPNGW_DATABASE_URL (without it, each server's own SQLite: one server only), VPNGW_SECRET_KEY, VPNGW_TOKEN_SIGNING_KEY. */
  env: Record<string, string>;
}

export function fleetInstallation(databaseUrl?: string): FleetInstallation {
  return {
    env: {
      ...(databaseUrl ? { VPNGW_DATABASE_URL: databaseUrl } : {}),
      VPNGW_SECRET_KEY: randomBytes(32).toString('base64'), VPNGW_TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
    },
  };
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function launch(command: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output: () => output, exited };
}

const running = (proc: Proc | undefined): proc is Proc => proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;

async function terminate(proc: Proc | undefined, signal: NodeJS.Signals) {
  if (!running(proc)) return;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}

/** A `vpngw serve --driver none` of the installation: an E2eService (for the CLI helpers) that can also be killed with SIGKILL. */
export interface FleetServer extends E2eService {
  /** The installation's settings, for operator commands run next to this server. */
  operatorEnv: Record<string, string>;
  kill9(): Promise<void>;
  output(): string;
}

export async function startFleetServer(installation: FleetInstallation, options: { adoptGateway(id: string): void; heartbeatTimeoutMs: number }): Promise<FleetServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-fleet-server-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...installation.env, VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_DRIVER: 'none', VPNGW_ADMIN_EMAIL: E2E_ADMIN.email,
    VPNGW_ADMIN_PASSWORD: E2E_ADMIN.password, VPNGW_LOG_LEVEL: 'warn', VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: String(options.heartbeatTimeoutMs),
  };
  let proc: Proc | undefined;
  const start = async () => {
    const started = launch(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], env);
    proc = started;
    const exited = started.exited.then(() => {
      throw new Error(`vpngw serve exited: ${started.output()}`);
    });
    await Promise.race([eventually('the server to be ready', async () => (await fetch(`${baseUrl}/readyz`)).ok, 30_000), exited]);
  };
  const as = (credentials: { email: string; password: string }): ApiClient => httpApiClient(baseUrl, credentials, options.adoptGateway);
  const admin = as(E2E_ADMIN);
  const server: FleetServer = {
    dataDir, baseUrl, as,
    operatorEnv: installation.env,
    request: (method, path, body) => admin.request(method, path, body),
    stop: () => terminate(proc, 'SIGTERM'),
    kill9: () => terminate(proc, 'SIGKILL'),
    restart: async () => (await terminate(proc, 'SIGTERM'), await start()),
    output: () => proc?.output() ?? '',
    async cleanup() {
      await terminate(proc, 'SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    await server.cleanup();
    throw error;
  }
  return server;
}

/** `vpngw host token create` run next to a server, with the installation's settings: the token, written to a 0600 file. */
export async function enrollmentTokenFile(server: FleetServer, dir: string, name: string): Promise<string> {
  const token = (await operator(server, ['host', 'token', 'create', '--ttl', '15m'], server.operatorEnv)).trim();
  const file = join(dir, `${name}.token`);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}

export interface FleetAgentOptions {
  name: string;
  /** The host namespace (`--netns`). */
  ns: string;
  servers: string[];
  addresses: string[];
  /** DATACENTER_ID:LAN_ID=IFNAME */
  lans: string[];
  tokenFile: string;
  /** CIDR[=IFNAME] (`--delegated-block`) */
  delegatedBlocks?: string[];
}

/** A `vpngw agent --driver linux --netns` process under the capabilities deploy/systemd/vpngw-agent.service leaves it. */
export interface FleetAgent {
  dataDir: string;
  output(): string;
  /** The host's credential as the agent stored it. */
  credential(): { hostId: string; credential: string };
  kill9(): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again on the same data directory, with other addresses if given. */
  start(addresses?: string[]): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startFleetAgent(options: FleetAgentOptions): Promise<FleetAgent> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-fleet-agent-'));
  let proc: Proc | undefined;
  let addresses = options.addresses;
  const start = async (next?: string[]) => {
    if (next) addresses = next;
    const args = ['--import', 'tsx', 'src/main.ts', 'agent', '--driver', 'linux', '--netns', options.ns, '--name', options.name, '--data-dir', dataDir,
      '--server', options.servers.join(','), '--enrollment-token-file', options.tokenFile, ...addresses.flatMap((a) => ['--address', a]),
      ...options.lans.flatMap((l) => ['--lan', l]), ...(options.delegatedBlocks ?? []).flatMap((b) => ['--delegated-block', b])];
    const [command, argv] = asUnitStartsIt('deploy/systemd/vpngw-agent.service', process.execPath, args);
    const started = launch(command, argv, { VPNGW_RECONCILE_INTERVAL_MS: '1000', VPNGW_AGENT_HEARTBEAT_MS: '500', VPNGW_LOG_LEVEL: 'info' });
    proc = started;
    const exited = started.exited.then(() => {
      throw new Error(`vpngw agent ${options.name} exited: ${started.output()}`);
    });
    await Promise.race([eventually(`agent ${options.name} to complete a pass`, async () => /pass completed/.test(started.output()), 30_000), exited]);
  };
  const agent: FleetAgent = {
    dataDir,
    output: () => proc?.output() ?? '',
    credential: () => JSON.parse(readFileSync(join(dataDir, 'agent.credential'), 'utf8')),
    kill9: () => terminate(proc, 'SIGKILL'),
    stop: () => terminate(proc, 'SIGTERM'),
    start,
    async cleanup() {
      await terminate(proc, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    await agent.cleanup();
    throw error;
  }
  return agent;
}
