import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, killProcessesMentioning } from './system.ts';
import { freePort } from '../../support/free-port.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const AUTH = `Basic ${Buffer.from('e2e@vpngw.test:e2e-password-1').toString('base64')}`;

export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API under test
}

/** A real `vpngw serve --driver linux --netns <ns>` process and a small HTTP client for it. */
export interface E2eService {
  dataDir: string;
  baseUrl: string;
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Stops the process (the data plane it made stays, as it would on a real restart). */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops it and removes its data directory and anything still running that it started. */
  cleanup(): Promise<void>;
}

export async function startService(netns: string): Promise<E2eService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--driver', 'linux', '--netns', netns], {
      cwd: ROOT,
      env: {
        ...process.env, VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: 'e2e@vpngw.test',
        VPNGW_ADMIN_PASSWORD: 'e2e-password-1', VPNGW_RECONCILE_INTERVAL_MS: '1000', VPNGW_LOG_LEVEL: 'warn',
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
  const service: E2eService = {
    dataDir,
    baseUrl,
    async request(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method, headers: { authorization: AUTH, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
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

/** Waits for a gateway's status to leave PROVISIONING and returns the final resource. */
export async function settledGateway(service: E2eService, collection: string, id: string, timeoutMs = 20_000): Promise<ApiResponse['body']> {
  return eventually(`${collection}/${id} to leave PROVISIONING`, async () => {
    const response = await service.request('GET', `/${collection}/${id}`);
    return response.body?.metadata?.status !== 'PROVISIONING' ? response.body : undefined;
  }, timeoutMs);
}

export const CONNECTIONS = [{ datacenterId: '5a029f4a-72e5-11ec-90d6-0242ac120003', lanId: '2', ipv4CIDR: '192.168.1.100/24' }];
