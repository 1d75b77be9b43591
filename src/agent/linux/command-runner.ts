import { execFile } from 'node:child_process';

/** What a finished command left behind; stdout may hold secrets (`wg show dump`), so it is never logged. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin: how secrets reach `wg` without touching a command line. */
  input?: string;
  /** Variables the command needs beyond toolEnvironment's. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs one program with an argument array (never a shell); resolves with its exit code instead of throwing. */
export interface CommandRunner {
  run(command: string, args: string[], options?: RunOptions): Promise<CommandResult>;
}

export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(readonly command: string, readonly result: CommandResult) {
    // stderr only: tools print their diagnostics there, never key material.
    super(`${command} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
}

/**
 * The environment of every program the driver runs: only what the tools need. Never the service's
 * own (it holds VPNGW_SECRET_KEY, the token signing key, the database URL), since wireguard-go and
 * charon live on after the service and their environment stays readable in /proc.
 */
export function toolEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', ...extra };
}

export const execRunner: CommandRunner = {
  run(command, args, options = {}) {
    return new Promise((resolve) => {
      const child = execFile(
        command,
        args,
        { env: toolEnvironment(options.env), timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
          resolve({ code, stdout, stderr: error && !stderr ? error.message : stderr });
        },
      );
      child.stdin?.on('error', () => undefined); // a command that exits early must not crash us with EPIPE
      child.stdin?.end(options.input ?? '');
    });
  },
};

/** Runs commands on the host or, when a namespace is named, inside it through `ip netns exec`. */
export class Shell {
  constructor(private readonly runner: CommandRunner, readonly netns: string | undefined) {}

  /** Runs and returns the result whatever the exit code. */
  try(command: string, args: string[], options?: RunOptions): Promise<CommandResult> {
    if (!this.netns) return this.runner.run(command, args, options);
    return this.runner.run('ip', ['netns', 'exec', this.netns, command, ...args], options);
  }

  /** Runs and throws CommandFailed on a non-zero exit. */
  async run(command: string, args: string[], options?: RunOptions): Promise<string> {
    const result = await this.try(command, args, options);
    if (result.code !== 0) throw new CommandFailed(command, result);
    return result.stdout;
  }

  /** The argument vector that starts `command` in the target namespace, for long-running processes. */
  argv(command: string, args: string[]): [string, string[]] {
    return this.netns ? ['ip', ['netns', 'exec', this.netns, command, ...args]] : [command, args];
  }
}
