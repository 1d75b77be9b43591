import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const ADMIN = { email: 'admin@cli.test', password: 'cli-admin-password-1' };

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --output json). */
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
}

/** A real `vpngw serve` on a free loopback port, and the real `bin/vpngw.js` run against it. */
export interface CliHarness {
  apiUrl: string;
  /** A scratch directory for key, PSK and password files; also HOME and XDG_CONFIG_HOME of the CLI. */
  dir: string;
  /** Env for the CLI: the API URL and the administrator's credentials (IONOS variables). */
  env: Record<string, string>;
  /** Runs the CLI; `options.env` replaces `env` (then no credentials unless given). */
  cli(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<CliResult>;
  stop(): Promise<void>;
}

/** Runs the real `bin/vpngw.js` with exactly this environment. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/vpngw.js'), ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) }));
    child.stdin.end(input ?? '');
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vpngw serve exited with ${child.exitCode}: ${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`vpngw serve did not answer: ${output()}`);
}

export async function startCliHarness(): Promise<CliHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-cli-'));
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', VPNGW_DATA_DIR: join(dir, 'data'), VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: ADMIN.email,
      VPNGW_ADMIN_PASSWORD: ADMIN.password, VPNGW_LOG_LEVEL: 'warn', VPNGW_RECONCILE_INTERVAL_MS: '60000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (server.exitCode === null) {
      const gone = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(apiUrl, server, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  // Only what the CLI needs: nothing from the environment of whoever runs the tests leaks in.
  const base = { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
  const env = { VPNGW_API_URL: apiUrl, IONOS_USERNAME: ADMIN.email, IONOS_PASSWORD: ADMIN.password };
  return { apiUrl, dir, env, stop, cli: (args, options = {}) => runCli(args, { ...base, ...(options.env ?? env) }, options.input) };
}
