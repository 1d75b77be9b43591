import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, killProcessesMentioning } from './system.ts';
import { asUnitStartsIt } from '../../support/deploy-files.ts';
import { freePort } from '../../support/free-port.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** The bootstrap administrator of the service's first contract. */
export const E2E_ADMIN = { email: 'e2e@vpngw.test', password: 'e2e-password-1' };

export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API under test
}

/** An HTTP client of the service, authenticated as one user. */
export interface ApiClient {
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/** A real `vpngw serve --driver linux --netns <host>` process and a small HTTP client for it (as E2E_ADMIN). */
export interface E2eService extends ApiClient {
  dataDir: string;
  baseUrl: string;
  /** A client authenticated as another user (e.g. another contract's administrator). */
  as(credentials: { email: string; password: string }): ApiClient;
  /** Stops the process (the data plane it made stays, as it would on a real restart). */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops it and removes its data directory and anything still running that it started. */
  cleanup(): Promise<void>;
}

const GATEWAY_COLLECTION = /^\/(wireguardgateways|ipsecgateways)(\/[^/?]+)?$/;

/**
 * Starts the service with the topology's host namespace as its gateway host. Every gateway created
 * through it is handed to `topology.adoptGateway`, so cleanup removes its namespace whatever happens.
 */
export async function startService(topology: { host: string; adoptGateway(id: string): void }, options: { env?: Record<string, string> } = {}): Promise<E2eService> {
  const netns = topology.host;
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    output = '';
    // With the capabilities deploy/systemd/vpngw.service leaves it, so every test here also proves they suffice.
    const [command, args] = asUnitStartsIt('deploy/systemd/vpngw.service', process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--driver', 'linux', '--netns', netns]);
    child = spawn(command, args, {
      cwd: ROOT,
      env: {
        ...process.env, VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: E2E_ADMIN.email,
        VPNGW_ADMIN_PASSWORD: E2E_ADMIN.password, VPNGW_RECONCILE_INTERVAL_MS: '1000', VPNGW_LOG_LEVEL: 'warn', ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_, reject) => child?.once('exit', (code) => reject(new Error(`vpngw exited with ${code}: ${output}`))));
    await Promise.race([eventually('the service to answer /healthz', async () => (await fetch(`${baseUrl}/healthz`)).ok, 30_000), exited]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (running.exitCode === null) running.kill('SIGKILL');
  };
  const as = (credentials: { email: string; password: string }): ApiClient => httpApiClient(baseUrl, credentials, topology.adoptGateway);
  const admin = as(E2E_ADMIN);
  const service: E2eService = {
    dataDir,
    baseUrl,
    as,
    request: (method, path, body) => admin.request(method, path, body),
    stop,
    restart: async () => (await stop(), await launch()),
    async cleanup() {
      await stop();
      killProcessesMentioning(dataDir); // a charon started with a strongswan.conf in the data dir
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await launch();
  } catch (error) {
    await service.cleanup();
    throw error;
  }
  return service;
}

/** A client of the service at baseUrl as one user; every gateway it creates is handed to adoptGateway (for cleanup). */
export function httpApiClient(baseUrl: string, credentials: { email: string; password: string }, adoptGateway: (id: string) => void): ApiClient {
  const authorization = `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`;
  return {
    async request(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method, headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      const parsed = text ? JSON.parse(text) : undefined;
      if ((method === 'POST' || method === 'PUT') && GATEWAY_COLLECTION.test(path) && typeof parsed?.id === 'string') adoptGateway(parsed.id);
      return { status: response.status, body: parsed };
    },
  };
}

/** Waits for a gateway's status to leave PROVISIONING and returns the final resource. */
export async function settledGateway(service: ApiClient, collection: string, id: string, timeoutMs = 20_000): Promise<ApiResponse['body']> {
  return eventually(`${collection}/${id} to leave PROVISIONING`, async () => {
    const response = await service.request('GET', `/${collection}/${id}`);
    return response.body?.metadata?.status !== 'PROVISIONING' ? response.body : undefined;
  }, timeoutMs);
}

/** Waits until the gateway's status is `status` (e.g. AVAILABLE again by itself after a FAILED) and returns the resource. */
export async function gatewayWithStatus(client: ApiClient, collection: string, id: string, status: string, timeoutMs = 20_000): Promise<ApiResponse['body']> {
  return eventually(`${collection}/${id} to be ${status}`, async () => {
    const response = await client.request('GET', `/${collection}/${id}`);
    return response.body?.metadata?.status === status ? response.body : undefined;
  }, timeoutMs);
}

/** The first contract's datacenter and LAN of most tests; the LAN machine is 192.168.1.10 behind the gateway's 192.168.1.100. */
export const CONNECTIONS = [{ datacenterId: '5a029f4a-72e5-11ec-90d6-0242ac120003', lanId: '2', ipv4CIDR: '192.168.1.100/24' }];
