import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';
import { parseDelegatedBlock, type DelegatedBlock } from './agent/linux/delegated-blocks.ts';
import type { LogFormat } from './logger.ts';

/** Everything the service can be told, from flags first, then VPNGW_* environment variables, then defaults. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  location: string;
  publicUrl?: string;
  adminEmail: string;
  adminPassword?: string;
  secretKey?: string;
  tokenSigningKey?: string;
  /** A shared secret a Prometheus scraper presents to read /metrics; unset: /metrics is public. */
  metricsToken?: string;
  /** files renders, linux applies; none: the API and control plane only, gateway hosts' agents apply (fleet). */
  driver: 'files' | 'linux' | 'none';
  /** With the linux driver: apply inside this existing network namespace instead of the host. */
  netns?: string;
  /** With the linux driver: address blocks delegated to the host; a gatewayIP no interface holds is assigned from them. */
  delegatedBlocks: DelegatedBlock[];
  /** With the linux driver: ESP in userspace (kernel-libipsec, works everywhere) or in the kernel's XFRM. */
  ipsecBackend: 'libipsec' | 'xfrm';
  /** postgres://… to keep the state in PostgreSQL instead of the embedded SQLite file. */
  databaseUrl?: string;
  reconcileIntervalMs: number;
  /** With --driver none: an ACTIVE gateway host silent this long has its gateways marked (and counted in vpngw_fleet_hosts_silent). */
  hostHeartbeatTimeoutMs: number;
  /** On SIGTERM/SIGINT, how long the drain may take before the rest is cut and the process exits 1. */
  shutdownTimeoutMs: number;
  /** Requests per minute per client address; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Audit records older than this many days are deleted; 0 keeps them for ever. */
  auditRetentionDays: number;
  /** Bounds on client connections, so slow or idle clients cannot hold the server's sockets. */
  http: HttpLimits;
  /** With both files: HTTPS only, from this certificate (chain) and key, both PEM; reloaded on SIGHUP and when they change. */
  tls?: { certFile: string; keyFile: string };
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For/-Proto/-Host are believed; empty: never. */
  trustedProxies: string[];
  logLevel: string;
  /** json (default) or pretty: one readable line per entry, for a terminal. */
  logFormat: LogFormat;
}

/** How long a client may take, and how many connections the server holds at once. */
export interface HttpLimits {
  /** Open connections at most; beyond it new ones are closed at once (0: no cap). */
  maxConnections: number;
  /** A request's headers must have arrived within this. */
  headersTimeoutMs: number;
  /** A request's headers and body must have arrived within this (408, connection closed). */
  requestTimeoutMs: number;
  /** A connection with no traffic in either direction for this long is closed. */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  keepAliveTimeoutMs: number;
}

const OPTIONS = {
  host: { type: 'string', env: 'VPNGW_HOST', fallback: '127.0.0.1' },
  port: { type: 'string', env: 'VPNGW_PORT', fallback: '8080' },
  'data-dir': { type: 'string', env: 'VPNGW_DATA_DIR', fallback: './data' },
  location: { type: 'string', env: 'VPNGW_LOCATION', fallback: 'de-fra' },
  'public-url': { type: 'string', env: 'VPNGW_PUBLIC_URL' },
  'admin-email': { type: 'string', env: 'VPNGW_ADMIN_EMAIL', fallback: 'admin@vpngw.local' },
  'admin-password': { type: 'string', env: 'VPNGW_ADMIN_PASSWORD' },
  driver: { type: 'string', env: 'VPNGW_DRIVER', fallback: 'files' },
  netns: { type: 'string', env: 'VPNGW_NETNS' },
  'delegated-block': { type: 'string', env: 'VPNGW_DELEGATED_BLOCKS' },
  'ipsec-backend': { type: 'string', env: 'VPNGW_IPSEC_BACKEND', fallback: 'libipsec' },
  'reconcile-interval': { type: 'string', env: 'VPNGW_RECONCILE_INTERVAL_MS', fallback: '10000' },
  'shutdown-timeout': { type: 'string', env: 'VPNGW_SHUTDOWN_TIMEOUT_MS', fallback: '15000' },
  'host-heartbeat-timeout': { type: 'string', env: 'VPNGW_HOST_HEARTBEAT_TIMEOUT_MS', fallback: '60000' },
  'log-level': { type: 'string', env: 'VPNGW_LOG_LEVEL', fallback: 'info' },
  'log-format': { type: 'string', env: 'VPNGW_LOG_FORMAT', fallback: 'json' },
  'rate-limit': { type: 'string', env: 'VPNGW_RATE_LIMIT', fallback: '1200' },
  'audit-retention-days': { type: 'string', env: 'VPNGW_AUDIT_RETENTION_DAYS', fallback: '90' },
  'max-connections': { type: 'string', env: 'VPNGW_MAX_CONNECTIONS', fallback: '1024' },
  'headers-timeout': { type: 'string', env: 'VPNGW_HEADERS_TIMEOUT_MS', fallback: '10000' },
  'request-timeout': { type: 'string', env: 'VPNGW_REQUEST_TIMEOUT_MS', fallback: '20000' },
  'connection-timeout': { type: 'string', env: 'VPNGW_CONNECTION_TIMEOUT_MS', fallback: '60000' },
  'keep-alive-timeout': { type: 'string', env: 'VPNGW_KEEP_ALIVE_TIMEOUT_MS', fallback: '72000' },
  'tls-cert': { type: 'string', env: 'VPNGW_TLS_CERT' },
  'tls-key': { type: 'string', env: 'VPNGW_TLS_KEY' },
  'trusted-proxies': { type: 'string', env: 'VPNGW_TRUSTED_PROXIES' },
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integerSetting(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}

// Environment only: the URL may carry the database password.
function databaseUrlOf(env: NodeJS.ProcessEnv): { databaseUrl?: string } {
  const url = env.VPNGW_DATABASE_URL;
  if (!url) return {};
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('VPNGW_DATABASE_URL must be a postgres:// URL.');
  return { databaseUrl: url };
}

function httpLimitsOf(get: (name: keyof typeof OPTIONS) => string | undefined): HttpLimits {
  const limits: HttpLimits = {
    maxConnections: integerSetting('VPNGW_MAX_CONNECTIONS', get('max-connections') ?? '', 0, 1_000_000),
    headersTimeoutMs: integerSetting('VPNGW_HEADERS_TIMEOUT_MS', get('headers-timeout') ?? '', 100, 3_600_000),
    requestTimeoutMs: integerSetting('VPNGW_REQUEST_TIMEOUT_MS', get('request-timeout') ?? '', 100, 3_600_000),
    connectionTimeoutMs: integerSetting('VPNGW_CONNECTION_TIMEOUT_MS', get('connection-timeout') ?? '', 100, 3_600_000),
    keepAliveTimeoutMs: integerSetting('VPNGW_KEEP_ALIVE_TIMEOUT_MS', get('keep-alive-timeout') ?? '', 100, 3_600_000),
  };
  // Node refuses a headers timeout longer than the request timeout, which covers the headers too.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('VPNGW_HEADERS_TIMEOUT_MS must not exceed VPNGW_REQUEST_TIMEOUT_MS.');
  return limits;
}

function tlsFilesOf(cert: string | undefined, key: string | undefined): { tls?: Config['tls'] } {
  if (cert === undefined && key === undefined) return {};
  if (cert === undefined || key === undefined) throw new ConfigError('VPNGW_TLS_CERT and VPNGW_TLS_KEY (--tls-cert, --tls-key) go together: give both files or neither.');
  return { tls: { certFile: resolve(cert), keyFile: resolve(key) } };
}

/** A comma-separated list of addresses and CIDRs, each checked; an empty list trusts no proxy. */
export function parseTrustedProxies(raw: string | undefined): string[] {
  const entries = (raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    // Four dotted decimals or IPv6 only: ipaddr.js also reads shorthands such as 127.1, a proxy list should not.
    const validAddress = ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address);
    const valid = validAddress && (prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && ipaddr.isValidCIDR(entry)));
    if (!valid) throw new ConfigError(`VPNGW_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8).`);
  }
  return entries;
}

/** Reads the configuration of `vpngw serve`; secrets (keys, passwords) come only from the environment. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(OPTIONS).filter(([k]) => k !== 'admin-password').map(([k, o]) => [k, { type: o.type }])),
    strict: true,
  });
  const get = (name: keyof typeof OPTIONS): string | undefined => {
    const option = OPTIONS[name];
    const value = (values[name] as string | undefined) ?? env[option.env];
    return value === undefined || value === '' ? ('fallback' in option ? option.fallback : undefined) : value;
  };
  const driver = get('driver');
  if (driver !== 'files' && driver !== 'linux' && driver !== 'none') throw new ConfigError(`Unknown driver "${driver}": use "files", "linux" or "none".`);
  const netns = get('netns');
  if (netns !== undefined && (driver !== 'linux' || !/^[A-Za-z0-9_.-]{1,64}$/.test(netns))) {
    throw new ConfigError(driver !== 'linux' ? 'VPNGW_NETNS applies only to the linux driver.' : `"${netns}" is not a valid network namespace name.`);
  }
  const delegatedBlocks = (get('delegated-block') ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '').map((raw) => {
    const parsed = parseDelegatedBlock(raw, 'VPNGW_DELEGATED_BLOCKS');
    if ('error' in parsed) throw new ConfigError(parsed.error);
    return parsed;
  });
  if (delegatedBlocks.length > 0 && driver !== 'linux') throw new ConfigError('VPNGW_DELEGATED_BLOCKS applies only to the linux driver (a fleet host\'s agent takes --delegated-block).');
  const ipsecBackend = get('ipsec-backend');
  if (ipsecBackend !== 'libipsec' && ipsecBackend !== 'xfrm') throw new ConfigError('VPNGW_IPSEC_BACKEND must be "libipsec" or "xfrm".');
  const logFormat = get('log-format');
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new ConfigError('VPNGW_LOG_FORMAT must be "json" or "pretty".');
  return {
    host: get('host') ?? '127.0.0.1',
    port: integerSetting('VPNGW_PORT', get('port') ?? '', 0, 65535),
    dataDir: resolve(get('data-dir') ?? './data'),
    location: get('location') ?? 'de-fra',
    publicUrl: get('public-url'),
    adminEmail: (get('admin-email') ?? '').toLowerCase(),
    adminPassword: get('admin-password'),
    secretKey: env.VPNGW_SECRET_KEY || undefined,
    tokenSigningKey: env.VPNGW_TOKEN_SIGNING_KEY || undefined,
    ...(env.VPNGW_METRICS_TOKEN ? { metricsToken: env.VPNGW_METRICS_TOKEN } : {}),
    ...databaseUrlOf(env),
    driver,
    ...(netns !== undefined ? { netns } : {}),
    delegatedBlocks,
    ipsecBackend,
    reconcileIntervalMs: integerSetting('VPNGW_RECONCILE_INTERVAL_MS', get('reconcile-interval') ?? '', 100, 3_600_000),
    shutdownTimeoutMs: integerSetting('VPNGW_SHUTDOWN_TIMEOUT_MS', get('shutdown-timeout') ?? '', 100, 3_600_000),
    hostHeartbeatTimeoutMs: integerSetting('VPNGW_HOST_HEARTBEAT_TIMEOUT_MS', get('host-heartbeat-timeout') ?? '', 100, 86_400_000),
    rateLimitPerMinute: integerSetting('VPNGW_RATE_LIMIT', get('rate-limit') ?? '', 0, 10_000_000),
    auditRetentionDays: integerSetting('VPNGW_AUDIT_RETENTION_DAYS', get('audit-retention-days') ?? '', 0, 36_500),
    http: httpLimitsOf(get),
    ...tlsFilesOf(get('tls-cert'), get('tls-key')),
    trustedProxies: parseTrustedProxies(get('trusted-proxies')),
    logLevel: get('log-level') ?? 'info',
    logFormat,
  };
}
