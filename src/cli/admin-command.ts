import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { isUuid } from '../domain/formats.ts';
import { OperatorRefusal } from '../service/operator-refusal.ts';
import { openStore } from '../store/open-store.ts';
import { ConcurrentChange, isStoreUnavailable, type Store } from '../store/store.ts';
import { UsageError } from './secret-input.ts';

export type AdminOptionSpec = { type: 'string' | 'boolean'; short?: string };
export type AdminValues = Record<string, string | boolean | undefined>;

/** What an admin action runs with: the service's own store and configuration. */
export interface AdminContext {
  store: Store;
  config: Config;
  out(text: string): void;
  err(text: string): void;
}

/**
 * One action of an operator command that works on the service's store directly (`vpngw contract
 * create`, `vpngw datacenter ...`, `vpngw lan ...`), next to a running server.
 */
export interface AdminAction<Input = unknown> {
  /** The action and its options, for the usage text: `create --contract N [--id UUID]`. */
  synopsis: string;
  options: Record<string, AdminOptionSpec>;
  /** Checks the options before the store is opened: a UsageError is exit status 2. */
  parse(values: AdminValues): Input | Promise<Input>;
  /** Exit status 0 unless it returns another; an OperatorRefusal is exit status 1 with its message. */
  run(input: Input, ctx: AdminContext): Promise<number | void>;
}

/** Every admin action takes --data-dir (else VPNGW_DATA_DIR; VPNGW_DATABASE_URL for PostgreSQL). */
const COMMON: Record<string, AdminOptionSpec> = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } };

const isUsageError = (error: unknown) =>
  error instanceof UsageError || error instanceof ConfigError || (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action has its own input type
type Actions = Record<string, AdminAction<any>>;

export function adminUsage(command: string, actions: Actions, about: string): string {
  const lines = Object.values(actions).map((a, i) => `${i === 0 ? 'Usage: ' : '       '}vpngw ${command} ${a.synopsis} [--data-dir DIR]`);
  return `${lines.join('\n')}\n\n${about}`;
}

/** The configuration an admin command opens the store with: the serve settings from flags and VPNGW_*. */
export function adminConfig(values: AdminValues): Config {
  const dataDir = values['data-dir'];
  return loadConfig(typeof dataDir === 'string' ? ['--data-dir', dataDir] : [], process.env);
}

/** A string option that must be there. */
export function requiredOption(values: AdminValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

/** An optional string option, trimmed; absent when not given. */
export function optionalOption(values: AdminValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** A UUID option, lower-cased; anything else is a usage error. */
export function uuidOption(values: AdminValues, name: string): string {
  const value = requiredOption(values, name);
  if (!isUuid(value)) throw new UsageError(`--${name} must be a UUID, not "${value}"`);
  return value.toLowerCase();
}

/** A name for a datacenter or a LAN: 1 to 255 characters, none of them control characters. */
export function nameOption(values: AdminValues, name = 'name'): string | undefined {
  const value = optionalOption(values, name);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (value !== undefined && (value.length < 1 || value.length > 255 || /[\u0000-\u001f\u007f]/.test(value))) {
    throw new UsageError(`--${name} must be 1 to 255 characters without control characters`);
  }
  return value;
}

/** Runs `vpngw <command> <action> ...`: exit status 0, 1 (refused, or the store failed) or 2 (usage). */
export async function runAdminCommand(command: string, actions: Actions, about: string, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const usage = adminUsage(command, actions, about);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(usage);
    return name === undefined ? 2 : 0;
  }
  const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
  if (!action) {
    process.stderr.write(`vpngw ${command}: unknown action "${name}": use ${Object.keys(actions).join(' or ')} (see vpngw ${command} --help)\n`);
    return 2;
  }
  return runAction(`${command} ${name}`, action, usage, rest);
}

async function runAction<Input>(path: string, action: AdminAction<Input>, usage: string, argv: string[]): Promise<number> {
  let input: Input;
  let config: Config;
  try {
    const { values } = parseArgs({ args: argv, options: { ...COMMON, ...action.options }, strict: true });
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    input = await action.parse(values);
    config = adminConfig(values);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    // One line, also for Node's own multi-line option errors.
    process.stderr.write(`vpngw ${path}: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 2;
  }
  try {
    const store = await openStore(config);
    // Run with the service's settings: under --driver none its placements write unplaced gateways' statuses, as the server's do.
    store.placement.ownsUnplacedStatus = config.driver === 'none';
    try {
      const ctx = { store, config, out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
      return (await action.run(input, ctx)) ?? 0;
    } finally {
      await store.close();
    }
  } catch (error) {
    process.stderr.write(`vpngw ${path}: ${failureMessage(error)}\n`);
    return 1;
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof OperatorRefusal) return error.message;
  if (error instanceof ConcurrentChange) return 'a concurrent change got there first; run the command again.';
  if (isStoreUnavailable(error)) return `cannot reach the store: ${(error as Error).message}`;
  return `error: ${(error as Error).message}`;
}
