import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { DataPlaneError } from '../driver.ts';
import { toolEnvironment, type CommandRunner, type Shell } from './command-runner.ts';
import { renderStrongswanConf, type IpsecBackend } from './strongswan-conf.ts';

export const CHARON_BINARY = 'charon-systemd';

// sockaddr_un holds 108 bytes; a deep data directory falls back to a hashed name under /run.
const MAX_SOCKET_PATH = 100;

/**
 * The one charon serving the target namespace. It runs detached, so it outlives a restart of
 * the service, which finds it again through its vici socket and the pid in charon.json.
 */
export class CharonProcess {
  readonly confPath: string;
  readonly socketPath: string;
  private readonly pidPath: string;
  private readonly logPath: string;

  constructor(private readonly shell: Shell, private readonly runner: CommandRunner, readonly dir: string, private readonly backend: IpsecBackend) {
    this.confPath = join(dir, 'strongswan.conf');
    this.pidPath = join(dir, 'charon.json');
    this.logPath = join(dir, 'charon.log');
    const preferred = join(dir, 'charon.vici');
    this.socketPath = preferred.length <= MAX_SOCKET_PATH ? preferred : `/run/vpngw-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.vici`;
  }

  get uri(): string {
    return `unix://${this.socketPath}`;
  }

  /** Runs `swanctl` against this charon; swanctl only talks to the socket, so it runs on the host. */
  swanctl(args: string[], timeoutMs = 15_000) {
    return this.runner.run('swanctl', [...args, '--uri', this.uri], { timeoutMs, env: { STRONGSWAN_CONF: this.confPath } });
  }

  async isResponding(): Promise<boolean> {
    return existsSync(this.socketPath) && (await this.swanctl(['--stats'], 5_000)).code === 0;
  }

  /** The pid of the running charon, or undefined when none of ours is running. */
  recordedPid(): number | undefined {
    if (!existsSync(this.pidPath)) return undefined;
    const pid = (JSON.parse(readFileSync(this.pidPath, 'utf8')) as { pid?: number }).pid;
    return pid !== undefined && this.isOurs(pid) ? pid : undefined;
  }

  /** Makes sure charon answers on its socket, starting it when needed; returns its pid. */
  async ensure(): Promise<number> {
    const pid = this.recordedPid();
    if (pid !== undefined && (await this.isResponding())) return pid;
    await this.stop();
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.confPath, renderStrongswanConf({ viciSocket: this.socketPath, logFile: this.logPath, backend: this.backend }));
    rmSync(this.socketPath, { force: true });
    const started = this.start();
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
      if (started.exited()) break;
      if (await this.isResponding()) return started.pid;
    }
    if (!started.exited()) process.kill(started.pid, 'SIGKILL');
    await this.stop();
    throw new DataPlaneError(`strongSwan (${CHARON_BINARY}) did not start: ${this.lastLogLine()}`);
  }

  /** Stops our charon, if one runs, and removes its socket. */
  async stop(): Promise<void> {
    const pid = this.recordedPid();
    if (pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && this.isOurs(pid); i++) await sleep(100);
      if (this.isOurs(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(this.pidPath, { force: true });
    rmSync(this.socketPath, { force: true });
  }

  /**
   * Starts charon; `exited` comes from the child's own exit event. (Its /proc entry is no witness
   * while `ip netns exec` is replacing itself with charon: environ then reads empty for a moment.)
   */
  private start(): { pid: number; exited: () => boolean } {
    const log = openSync(this.logPath, 'a', 0o600);
    const [command, args] = this.shell.argv(CHARON_BINARY, []);
    // `ip netns exec` execs charon in place, so the pid is charon's own.
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env: toolEnvironment({ STRONGSWAN_CONF: this.confPath }) });
    closeSync(log);
    let exited = false;
    child.on('error', () => (exited = true));
    child.once('exit', () => (exited = true));
    child.unref();
    if (child.pid === undefined) throw new DataPlaneError(`Could not start ${CHARON_BINARY}.`);
    writeFileAtomic(this.pidPath, JSON.stringify({ pid: child.pid }));
    return { pid: child.pid, exited: () => exited };
  }

  /** True when the pid is alive and was started with our strongswan.conf (a recycled pid is not ours). */
  private isOurs(pid: number): boolean {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/\) Z /.test(stat) && environ.split('\0').includes(`STRONGSWAN_CONF=${this.confPath}`);
    } catch {
      return false;
    }
  }

  private lastLogLine(): string {
    if (!existsSync(this.logPath)) return 'no log written';
    return readFileSync(this.logPath, 'utf8').trim().split('\n').slice(-1)[0] ?? 'no log written';
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
