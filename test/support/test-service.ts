import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DataPlaneDriver } from '../../src/agent/driver.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { assembleService, type RunningService, type ServiceOverrides } from '../../src/service-assembly.ts';
import { createTestDatabase } from './postgres-database.ts';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestService extends RunningService {
  dataDir: string;
  /** The PostgreSQL database the service uses; absent on SQLite. */
  databaseUrl?: string;
  /** The VPNGW_* settings it was started with, for a CLI run against the same store. */
  env: Record<string, string>;
  /** Every log line the service wrote, as text. */
  logs: string[];
  /** Basic credentials of the first administrator. */
  auth: RunningService['auth'];
  basic: string;
  /** A request through `inject`; `from` is the client address the service sees (default 127.0.0.1). */
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>, from?: string): Promise<TestResponse>;
  stop(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
  text: string;
}

export const basicAuth = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;

/** The engine behind startTestService: SQLite, or PostgreSQL when VPNGW_TEST_ENGINE=postgres (a second pass of the suite). */
export function testEngine(): 'sqlite' | 'postgres' {
  return process.env.VPNGW_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/** Starts the whole service on a fresh data directory (SQLite, or a fresh PostgreSQL database; files driver unless one is given). */
export async function startTestService(
  options: { driver?: DataPlaneDriver; env?: Record<string, string>; postgres?: boolean } & ServiceOverrides = {},
): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-test-'));
  const database = options.postgres ?? testEngine() === 'postgres' ? await createTestDatabase() : undefined;
  const env: Record<string, string> = {
    VPNGW_DATA_DIR: dataDir,
    VPNGW_ADMIN_EMAIL: ADMIN_EMAIL,
    VPNGW_ADMIN_PASSWORD: ADMIN_PASSWORD,
    VPNGW_RECONCILE_INTERVAL_MS: '100000',
    VPNGW_PUBLIC_URL: 'http://vpn.test',
    VPNGW_LOG_LEVEL: 'debug',
    VPNGW_RATE_LIMIT: '100000',
    ...(database ? { VPNGW_DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const config = loadConfig([], env);
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const overrides: ServiceOverrides = {
    ...(options.now ? { now: options.now } : {}),
    ...(options.verifyPassword ? { verifyPassword: options.verifyPassword } : {}),
  };
  const service = await assembleService(config, createLogger(config.logLevel, sink), options.driver, overrides);
  const basic = basicAuth(ADMIN_EMAIL, ADMIN_PASSWORD);
  return {
    ...service,
    dataDir,
    env,
    ...(database ? { databaseUrl: database.url } : {}),
    logs,
    basic,
    async request(method, url, body, headers = {}, from = undefined) {
      const response = await service.app.inject({
        method: method as 'GET',
        url,
        ...(from ? { remoteAddress: from } : {}),
        headers: { authorization: basic, ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      let parsed: unknown;
      try { parsed = response.body ? JSON.parse(response.body) : undefined; } catch { parsed = undefined; }
      return { status: response.statusCode, headers: response.headers, body: parsed, text: response.body };
    },
    async stop() {
      await service.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until check returns a truthy value; fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
