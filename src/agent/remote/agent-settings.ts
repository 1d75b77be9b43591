import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';
import { isHostInterfaceName } from '../../domain/datacenters.ts';
import { parseDelegatedBlock, type DelegatedBlock } from '../linux/delegated-blocks.ts';

/** What `vpngw agent` is told, from flags first, then VPNGW_* environment variables, then defaults. */
export interface AgentSettings {
  /** API base URLs, tried in turn. */
  servers: string[];
  dataDir: string;
  /** Read once, when there is no credential yet; never a token on the command line. */
  enrollmentTokenFile?: string;
  name: string;
  caFile?: string;
  addresses: string[];
  /** The delegated blocks' CIDRs, as the inventory sends them. */
  delegatedBlocks: string[];
  /** The same blocks with the uplink interface each is routed to on-link (`--delegated-block CIDR=IFNAME`), for the driver. */
  delegatedBlockUplinks: DelegatedBlock[];
  lans: Array<{ datacenterId: string; lanId: string; interface: string }>;
  driver: 'linux' | 'files';
  ipsecBackend: 'libipsec' | 'xfrm';
  netns?: string;
  /** A full pass against the last snapshot this often (drift repair). */
  reconcileIntervalMs: number;
  /** The inventory is sent again this often (it is also the host's heartbeat). */
  heartbeatMs: number;
  /** The gateways' live state is sent this often when it changed (VPNGW_AGENT_LIVE_STATE_MS); 0: never. */
  liveStateIntervalMs: number;
  logLevel: string;
}

export class AgentSettingsError extends Error {
  override readonly name = 'AgentSettingsError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function list(values: string[] | undefined, env: string | undefined): string[] {
  const raw = values && values.length > 0 ? values : (env ?? '').split(',');
  return raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) throw new AgentSettingsError(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}

function serverUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AgentSettingsError(`--server: "${raw}" is not a URL (e.g. https://vpngw.example.com).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AgentSettingsError(`--server: "${raw}" must be an http:// or https:// URL.`);
  if (url.username || url.password) throw new AgentSettingsError('--server: a URL must not carry credentials.');
  return url.href.replace(/\/+$/, '');
}

function address(raw: string): string {
  if (!ipaddr.IPv4.isValidFourPartDecimal(raw) && !ipaddr.IPv6.isValid(raw)) throw new AgentSettingsError(`--address: "${raw}" is not an IP address.`);
  return raw;
}

function block(raw: string): DelegatedBlock {
  const parsed = parseDelegatedBlock(raw, '--delegated-block');
  if ('error' in parsed) throw new AgentSettingsError(parsed.error);
  return parsed;
}

/** 0 turns sending live state off; else at least 100 ms apart. */
function liveStateInterval(raw: string): number {
  return raw === '0' ? 0 : integer('VPNGW_AGENT_LIVE_STATE_MS (--live-state-interval), or 0 for off,', raw, 100, 3_600_000);
}

/** DATACENTER_ID:LAN_ID=IFNAME, e.g. 6f1c…:1=eth1. */
export function parseLanBinding(raw: string): { datacenterId: string; lanId: string; interface: string } {
  const match = /^([^:=]+):([0-9]{1,10})=(.+)$/.exec(raw);
  if (!match || !UUID.test(match[1] as string) || !isHostInterfaceName(match[3] as string)) {
    throw new AgentSettingsError(`--lan: "${raw}" is not DATACENTER_ID:LAN_ID=IFNAME (a datacenter UUID, a LAN number, an interface name).`);
  }
  return { datacenterId: (match[1] as string).toLowerCase(), lanId: match[2] as string, interface: match[3] as string };
}

export function loadAgentSettings(argv: string[], env: NodeJS.ProcessEnv): AgentSettings {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      server: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'enrollment-token-file': { type: 'string' },
      name: { type: 'string' },
      'ca-file': { type: 'string' },
      address: { type: 'string', multiple: true },
      'delegated-block': { type: 'string', multiple: true },
      lan: { type: 'string', multiple: true },
      driver: { type: 'string' },
      'ipsec-backend': { type: 'string' },
      netns: { type: 'string' },
      'reconcile-interval': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      'live-state-interval': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const pick = (flag: string | undefined, name: string): string | undefined => (flag !== undefined && flag !== '' ? flag : env[name] || undefined);
  const servers = list(values.server, env.VPNGW_AGENT_SERVERS).map(serverUrl);
  if (servers.length === 0) throw new AgentSettingsError('Name the API server: --server URL[,URL...] or VPNGW_AGENT_SERVERS.');
  const driver = pick(values.driver, 'VPNGW_AGENT_DRIVER') ?? 'linux';
  if (driver !== 'linux' && driver !== 'files') throw new AgentSettingsError(`Unknown driver "${driver}": use "linux" or "files".`);
  const ipsecBackend = pick(values['ipsec-backend'], 'VPNGW_IPSEC_BACKEND') ?? 'libipsec';
  if (ipsecBackend !== 'libipsec' && ipsecBackend !== 'xfrm') throw new AgentSettingsError('--ipsec-backend must be "libipsec" or "xfrm".');
  const netns = pick(values.netns, 'VPNGW_NETNS');
  if (netns !== undefined && (driver !== 'linux' || !/^[A-Za-z0-9_.-]{1,64}$/.test(netns))) {
    throw new AgentSettingsError(driver !== 'linux' ? '--netns applies only to the linux driver.' : `"${netns}" is not a valid network namespace name.`);
  }
  const name = pick(values.name, 'VPNGW_AGENT_NAME') ?? hostname().split('.')[0] ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) throw new AgentSettingsError(`--name: "${name}" must be 1-63 letters, digits, "_", "." or "-".`);
  const tokenFile = pick(values['enrollment-token-file'], 'VPNGW_AGENT_ENROLLMENT_TOKEN_FILE');
  const caFile = pick(values['ca-file'], 'VPNGW_CA_FILE');
  const blocks = list(values['delegated-block'], env.VPNGW_AGENT_DELEGATED_BLOCKS).map(block);
  return {
    servers,
    dataDir: resolve(pick(values['data-dir'], 'VPNGW_AGENT_DATA_DIR') ?? './agent-data'),
    ...(tokenFile !== undefined ? { enrollmentTokenFile: resolve(tokenFile) } : {}),
    name,
    ...(caFile !== undefined ? { caFile: resolve(caFile) } : {}),
    addresses: list(values.address, env.VPNGW_AGENT_ADDRESSES).map(address),
    delegatedBlocks: blocks.map((b) => b.cidr),
    delegatedBlockUplinks: blocks,
    lans: list(values.lan, env.VPNGW_AGENT_LANS).map(parseLanBinding),
    driver,
    ipsecBackend,
    ...(netns !== undefined ? { netns } : {}),
    reconcileIntervalMs: integer('VPNGW_RECONCILE_INTERVAL_MS', pick(values['reconcile-interval'], 'VPNGW_RECONCILE_INTERVAL_MS') ?? '10000', 100, 3_600_000),
    heartbeatMs: integer('VPNGW_AGENT_HEARTBEAT_MS', pick(values['heartbeat-interval'], 'VPNGW_AGENT_HEARTBEAT_MS') ?? '15000', 100, 3_600_000),
    liveStateIntervalMs: liveStateInterval(pick(values['live-state-interval'], 'VPNGW_AGENT_LIVE_STATE_MS') ?? '10000'),
    logLevel: pick(values['log-level'], 'VPNGW_LOG_LEVEL') ?? 'info',
  };
}
