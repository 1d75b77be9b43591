import { parseArgs } from 'node:util';
import { ApiClient, ApiRequestError } from './api-client.ts';
import { resolveApiUrl, resolveCaFile, resolveCredentials, type ConnectionOptions } from './credentials.ts';
import { formatDetails, formatJson, formatTable, type Column, type OutputFormat } from './output.ts';
import { UsageError } from './secret-input.ts';
import { trustingDispatcher } from './tls-trust.ts';

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** What every client command runs with. */
export interface CliContext {
  client: ApiClient;
  env: NodeJS.ProcessEnv;
  output: OutputFormat;
  /** With --wait, `deadline` (from --wait-timeout, counted from the start) bounds every request and the polling. */
  wait: { enabled: boolean; deadline: number };
  out(text: string): void;
  err(text: string): void;
}

/** One action of a command group, e.g. `get <gatewayId>`. */
export interface Subcommand {
  summary: string;
  /** Names of the positional arguments, in order; a name ending in `?` is optional. */
  args?: string[];
  options?: Record<string, OptionSpec>;
  /** A one-line list of the options for the usage text. */
  optionsHelp?: string;
  run(ctx: CliContext, values: OptionValues, args: string[]): Promise<number | void>;
}

export type CommandGroup = Record<string, Subcommand>;

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  'api-url': { type: 'string' },
  'ca-file': { type: 'string' },
  username: { type: 'string' },
  'password-file': { type: 'string' },
  password: { type: 'string' },
  output: { type: 'string', short: 'o' },
  wait: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const COMMON_HELP = `Common options:
  --api-url URL          the vpngw API (VPNGW_API_URL, IONOS_API_URL; default http://127.0.0.1:8080)
  --ca-file FILE         also trust the CA certificate(s) in FILE for an https:// API (VPNGW_CA_FILE; kept by \`vpngw login\`)
  --username EMAIL       with --password-file FILE (or IONOS_USERNAME/IONOS_PASSWORD); else IONOS_TOKEN or \`vpngw login\`
  -o, --output FORMAT    table (default) or json
  --wait                 block until the resource is AVAILABLE (or deleted); --wait-timeout SECONDS bounds
                         the whole command (default 300). Any one request gives up after 30 s.
`;

/** `<gatewayId> [<tokenId>]`: a name ending in `?` is optional. */
const argsText = (args: string[]) => args.map((a) => (a.endsWith('?') ? ` [<${a.slice(0, -1)}>]` : ` <${a}>`)).join('');

export function subcommandUsage(path: string, sub: Subcommand): string {
  const head = `  vpngw ${path}${argsText(sub.args ?? [])}`;
  return `${head}\n      ${sub.summary}${sub.optionsHelp ? `\n      ${sub.optionsHelp}` : ''}`;
}

export function groupUsage(path: string, group: CommandGroup): string {
  const lines = Object.entries(group).map(([name, sub]) => subcommandUsage(`${path} ${name}`, sub));
  return `Usage:\n${lines.join('\n')}\n\n${COMMON_HELP}`;
}

function outputFormat(raw: unknown): OutputFormat {
  if (raw === undefined || raw === 'table') return 'table';
  if (raw === 'json') return 'json';
  throw new UsageError(`--output must be "table" or "json", not "${String(raw)}"`);
}

function waitTimeoutMs(raw: unknown): number {
  if (raw === undefined) return 300_000;
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || Number(raw) < 1) throw new UsageError('--wait-timeout must be a whole number of seconds');
  return Number(raw) * 1000;
}

export function buildContext(values: OptionValues, env: NodeJS.ProcessEnv): CliContext {
  const connection = values as ConnectionOptions;
  const apiUrl = resolveApiUrl(connection, env);
  const enabled = values.wait === true;
  const deadline = Date.now() + waitTimeoutMs(values['wait-timeout']);
  const caFile = resolveCaFile(connection, env, apiUrl);
  return {
    client: new ApiClient(apiUrl, resolveCredentials(connection, env, apiUrl), {
      ...(enabled ? { deadline } : {}),
      ...(caFile ? { dispatcher: trustingDispatcher(caFile) } : {}),
    }),
    env,
    output: outputFormat(values.output),
    wait: { enabled, deadline },
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  };
}

/** Runs `vpngw <path> <action> ...`; exit status 0, 1 (the API or the operation failed) or 2 (usage). */
export async function runGroup(path: string, group: CommandGroup, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [action, ...rest] = argv;
  const sub = action ? group[action] : undefined;
  if (!sub) {
    const wanted = action === undefined || action === 'help' || action === '--help' || action === '-h';
    (wanted ? process.stdout : process.stderr).write(`${wanted ? '' : `vpngw ${path}: unknown action "${action}"\n\n`}${groupUsage(path, group)}`);
    return wanted ? 0 : 2;
  }
  return runSubcommand(`${path} ${action}`, sub, rest, env);
}

/** Parses the options of one command and runs it, turning errors into a message and an exit status. */
export async function runSubcommand(path: string, sub: Subcommand, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...sub.options }, allowPositionals: true, strict: true });
    if (values.help) {
      process.stdout.write(`Usage:\n${subcommandUsage(path, sub)}\n\n${COMMON_HELP}`);
      return 0;
    }
    const expected = sub.args ?? [];
    const required = expected.filter((a) => !a.endsWith('?')).length;
    if (positionals.length < required || positionals.length > expected.length) {
      throw new UsageError(`expected ${expected.length ? argsText(expected).trim() : 'no arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'}`);
    }
    return (await sub.run(buildContext(values, env), values, positionals)) ?? 0;
  } catch (error) {
    return reportError(path, error);
  }
}

function reportError(command: string, error: unknown): number {
  const e = error as Error & { code?: string };
  if (error instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`vpngw ${command}: ${e.message}\n(see vpngw ${command} --help)\n`);
    return 2;
  }
  process.stderr.write(`vpngw ${command}: ${error instanceof ApiRequestError ? e.message : `error: ${e.message}`}\n`);
  return 1;
}

/** Prints one resource: JSON as the API sent it, or `key  value` lines. */
export function printResource(ctx: CliContext, resource: unknown): void {
  ctx.out(ctx.output === 'json' ? formatJson(resource) : formatDetails(resource as Record<string, unknown>));
}

/** Prints a list: JSON as the API sent it (the collection), or a table of its items. */
export function printList(ctx: CliContext, columns: Column[], collection: unknown, items: Array<Record<string, unknown>>): void {
  ctx.out(ctx.output === 'json' ? formatJson(collection) : formatTable(columns, items));
}
