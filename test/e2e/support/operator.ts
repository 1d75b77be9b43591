import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../cli/support/cli-harness.ts';
import { E2E_ADMIN, type ApiClient, type E2eService } from './service.ts';
import type { Lan, LanOptions, Topology } from './topology.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/**
 * An operator command run next to the server against its data directory, as `vpngw datacenter …`,
 * `vpngw lan …` and `vpngw contract …` are meant to be; answers stdout, fails the test on exit ≠ 0.
 */
export function operator(svc: E2eService, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: svc.dataDir, VPNGW_DATA_DIR: svc.dataDir, VPNGW_LOG_LEVEL: 'warn', ...extraEnv };
    execFile(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`vpngw ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

export const createDatacenter = (svc: E2eService, contract: number, id: string) =>
  operator(svc, ['datacenter', 'create', '--contract', String(contract), '--id', id, '--data-dir', svc.dataDir]);

export const bindLan = (svc: E2eService, datacenterId: string, lanId: string, hostInterface: string) =>
  operator(svc, ['lan', 'bind', '--datacenter', datacenterId, '--lan', lanId, '--interface', hostInterface, '--data-dir', svc.dataDir]);

/** The contract of whoever the client authenticates as, read from the `contract` claim of a token issued to it. */
export async function contractOf(client: ApiClient): Promise<number> {
  const response = await client.request('GET', '/auth/v1/tokens/generate?ttl=60');
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const payload = String(response.body.token).split('.')[1] ?? '';
  const contract = Number(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).contract);
  assert.ok(Number.isInteger(contract) && contract > 0, 'the token names a contract');
  return contract;
}

/** A new contract through `vpngw contract create`, and a client for its administrator. */
export async function createTenant(svc: E2eService, email: string): Promise<{ contract: number; credentials: typeof E2E_ADMIN; client: ApiClient }> {
  const credentials = { email, password: `password-of-${email}` };
  const passwordFile = join(svc.dataDir, `${email}.password`);
  writeFileSync(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  const contract = Number((await operator(svc, ['contract', 'create', '--admin-email', email, '--admin-password-file', passwordFile, '--data-dir', svc.dataDir])).trim());
  assert.ok(Number.isInteger(contract) && contract > 0, `contract create printed a contract number (${contract})`);
  return { contract, credentials, client: svc.as(credentials) };
}

/** The `vpngw` client commands (over the HTTP API) as one user; fails the test on exit ≠ 0. */
export function vpngwCli(svc: E2eService, credentials = E2E_ADMIN) {
  const env = { PATH: process.env.PATH ?? '', HOME: svc.dataDir, VPNGW_API_URL: svc.baseUrl, IONOS_USERNAME: credentials.email, IONOS_PASSWORD: credentials.password };
  return async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, env);
    assert.equal(result.status, 0, `vpngw ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
}

/** A LAN machine behind the host (see Topology.addLan), bound by the operator as the datacenter's LAN `lanId`. */
export async function attachLan(svc: E2eService, topology: Topology, options: LanOptions & { datacenterId: string; lanId: string }): Promise<Lan> {
  const lan = await topology.addLan(options);
  await bindLan(svc, options.datacenterId, options.lanId, lan.hostInterface);
  return lan;
}
