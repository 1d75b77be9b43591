import { readFileSync } from 'node:fs';
import type { OptionSpec, OptionValues } from './command.ts';
import { readStandardInput, UsageError } from './secret-input.ts';

type Properties = Record<string, unknown>;

export const str = (values: OptionValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

const many = (values: OptionValues, name: string): string[] | undefined => {
  const value = values[name];
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : undefined;
};

/** `--allowed-ips a,b --allowed-ips c` → [a, b, c]. */
export function listOption(values: OptionValues, name: string): string[] | undefined {
  const given = many(values, name);
  return given?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function integerOption(values: OptionValues, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, not "${raw}"`);
  return Number(raw);
}

/** Sets `a.b.c` in an object, creating the objects on the way; undefined leaves it unchanged. */
export function setPath(target: Properties, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Properties) } : {}) as Properties;
  }
  node[keys[keys.length - 1] as string] = value;
}

const CONNECTION_KEYS = ['datacenterId', 'lanId', 'ipv4CIDR', 'ipv6CIDR'];

/** `datacenterId,lanId,ipv4CIDR[,ipv6CIDR]` or `datacenterId=…,lanId=…,ipv4CIDR=…`. */
export function parseConnection(text: string): Properties {
  const parts = text.split(',').map((p) => p.trim());
  const connection: Properties = {};
  if (parts.some((p) => p.includes('='))) {
    for (const part of parts) {
      const [key = '', value = ''] = part.split(/=(.*)/s);
      if (!CONNECTION_KEYS.includes(key)) throw new UsageError(`--connection: unknown key "${key}" (use ${CONNECTION_KEYS.join(', ')})`);
      connection[key] = value;
    }
    return connection;
  }
  if (parts.length < 3 || parts.length > 4) throw new UsageError('--connection is datacenterId,lanId,ipv4CIDR[,ipv6CIDR]');
  parts.forEach((value, i) => value && (connection[CONNECTION_KEYS[i] as string] = value));
  return connection;
}

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
export function parseEndpoint(text: string): Properties {
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  const hostPort = /^([^:]+):([0-9]+)$/.exec(text);
  if (hostPort) return { host: hostPort[1], port: Number(hostPort[2]) };
  return { host: text };
}

/** `--from-file F` (or `-`): a JSON body `{ "properties": {...} }` or just the properties. */
export function propertiesFromFile(values: OptionValues): Properties {
  const path = str(values, 'from-file');
  if (!path) return {};
  const parsed = parseJsonFile(path);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--from-file ${path}: expected a JSON object`);
  const body = parsed as Properties;
  return body.properties !== null && typeof body.properties === 'object' ? { ...(body.properties as Properties) } : { ...body };
}

/**
 * Reads and parses the --from-file. JSON.parse's message quotes the start of the text, and the file
 * may be a key given by mistake, so a parse error names only the file and the position.
 */
function parseJsonFile(path: string): unknown {
  let text: string;
  if (path === '-') {
    text = readStandardInput('JSON body');
  } else {
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`--from-file: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = /at position ([0-9]+)/.exec((error as Error).message)?.[1];
    const where = position !== undefined ? ` (at position ${position})` : '';
    throw new UsageError(`--from-file: ${path === '-' ? 'standard input' : path} is not valid JSON${where}`);
  }
}

/** The options shared by WireGuard and IPSec gateways. */
export const GATEWAY_OPTIONS: Record<string, OptionSpec> = {
  name: { type: 'string' },
  description: { type: 'string' },
  'gateway-ip': { type: 'string' },
  connection: { type: 'string', multiple: true },
  tier: { type: 'string' },
  'maintenance-day': { type: 'string' },
  'maintenance-time': { type: 'string' },
  'from-file': { type: 'string' },
};

export const GATEWAY_OPTIONS_HELP = '--name --description --gateway-ip --connection datacenterId,lanId,ipv4CIDR[,ipv6CIDR] (repeatable) --tier '
  + '--maintenance-day Monday --maintenance-time 02:00:00 --from-file body.json';

/** Applies the shared gateway options over `base` (the current properties on update, or --from-file). */
export function applyGatewayOptions(base: Properties, values: OptionValues): Properties {
  const properties = { ...base };
  setPath(properties, 'name', str(values, 'name'));
  setPath(properties, 'description', str(values, 'description'));
  setPath(properties, 'gatewayIP', str(values, 'gateway-ip'));
  setPath(properties, 'tier', str(values, 'tier'));
  setPath(properties, 'connections', many(values, 'connection')?.map(parseConnection));
  setPath(properties, 'maintenanceWindow.dayOfTheWeek', str(values, 'maintenance-day'));
  setPath(properties, 'maintenanceWindow.time', str(values, 'maintenance-time'));
  return properties;
}
