import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { hasExecutable } from '../../../src/agent/linux/prerequisites.ts';
import { isCi } from '../../support/ci.ts';

/** Runs a command with an argument array; rejects with its stderr on a non-zero exit. */
export function sh(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: options.env ?? process.env, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && !options.allowFail) reject(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Runs a command inside a network namespace. */
export function nsExec(ns: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}) {
  return sh('ip', ['netns', 'exec', ns, command, ...args], options);
}

const TOOLS: Array<[string, string]> = [
  ['ip', 'iproute2'], ['ping', 'iputils-ping'], ['wg', 'wireguard-tools'], ['wireguard-go', 'wireguard-go'],
  ['swanctl', 'strongswan-swanctl'], ['charon-systemd', 'charon-systemd'], ['setsid', 'util-linux'],
  ['nft', 'nftables'], ['iperf3', 'iperf3'], ['sysctl', 'procps'], ['pgrep', 'procps'],
];

/** What the end-to-end tests need and this machine lacks. */
export function missingForE2e(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces, TUN devices)');
  for (const [tool, pkg] of TOOLS) if (!hasExecutable(tool)) missing.push(`${tool} (Debian package ${pkg})`);
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  return missing;
}

/**
 * Skips the test loudly when a prerequisite is missing; under CI a missing prerequisite
 * fails it instead, so a broken CI image cannot pass by skipping the real-tunnel tests.
 */
export function requireE2e(t: TestContext): boolean {
  const missing = missingForE2e();
  if (missing.length === 0) return true;
  const message = `end-to-end data plane tests need: ${missing.join(', ')} (scripts/install-test-prerequisites.sh installs them as root)`;
  if (isCi()) throw new Error(`under CI, ${message}`);
  process.stderr.write(`\n!!! SKIPPING: ${message}\n\n`);
  t.skip(message);
  return false;
}

/** Polls until `check` returns a value other than undefined/false, or throws with `what` after the timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** One ping from `source` in namespace `ns`; true when a reply came back within a second. */
export async function pingOnce(ns: string, source: string, target: string): Promise<boolean> {
  const family = target.includes(':') ? '-6' : '-4';
  const out = await nsExec(ns, 'ping', [family, '-c', '1', '-W', '1', '-I', source, target], { allowFail: true });
  return / 0% packet loss/.test(out);
}

/** Kills every process whose environment or command line mentions `marker` (a test's temp dir or name). */
export function killProcessesMentioning(marker: string): void {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    if (pid === process.pid) continue;
    try {
      const text = `${readFileSync(`/proc/${pid}/cmdline`, 'utf8')}\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}`;
      if (text.includes(marker)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone already, or not ours to read
    }
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Kills every process whose command line is exactly `argv` (e.g. one wireguard-go instance). */
export function killCommand(argv: string[]): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `${argv.join('\0')}\0`) {
        process.kill(pid, 'SIGKILL');
        killed++;
      }
    } catch {
      // gone already
    }
  }
  return killed;
}

/** Kills every process still inside a network namespace (deleting the name alone would leave them running). */
export function killProcessesIn(ns: string): void {
  let pids: string[] = [];
  try {
    pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
