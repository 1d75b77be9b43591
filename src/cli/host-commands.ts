import { isSilent } from '../domain/silent-host.ts';
import { issueEnrollmentToken } from '../service/fleet-service.ts';
import { OperatorRefusal } from '../service/operator-refusal.ts';
import type { HostStore } from '../store/host-store.ts';
import { KyselyStore } from '../store/kysely-store.ts';
import type { Store } from '../store/store.ts';
import { optionalOption, runAdminCommand, uuidOption, type AdminAction } from './admin-command.ts';
import { formatTable } from './output.ts';
import { UsageError } from './secret-input.ts';

const ABOUT = `Gateway hosts (preview): each runs an agent that enrolls once with a token from "host token create"
and then receives the gateways placed on it. These commands work on the service's store (--data-dir,
VPNGW_DATA_DIR or VPNGW_DATABASE_URL), next to a running server; agents' watches see a drain or a
removal at their next request. The same is served to the installation's administrators under /fleet/v1.
`;

const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 24 * 3600;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** A lifetime such as 900, 900s, 15m or 1h, from one minute to one day. */
export function parseTtl(text: string): number {
  const match = /^([0-9]{1,6})([smh]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (UNITS[match[2] || 's'] ?? 1) : NaN;
  if (!(seconds >= MIN_TTL_SECONDS && seconds <= MAX_TTL_SECONDS)) throw new UsageError(`--ttl must be a lifetime from 1m to 24h such as 15m or 900s, not "${text}"`);
  return seconds;
}

function hostsOf(store: Store): HostStore {
  if (store instanceof KyselyStore) return store.hosts;
  throw new OperatorRefusal('this store has no gateway hosts.');
}

const tokenCreate: AdminAction<{ ttl: number }> = {
  synopsis: 'create [--ttl 15m]',
  options: { ttl: { type: 'string' } },
  parse: (values) => ({ ttl: parseTtl(optionalOption(values, 'ttl') ?? '15m') }),
  async run({ ttl }, { store, out, err }) {
    const issued = await issueEnrollmentToken(hostsOf(store), 'vpngw host token create', ttl);
    err(`Enrollment token ${issued.id}, single use, valid until ${issued.expiresAt}; it is not shown again:\n`);
    out(`${issued.token}\n`);
  },
};

const list: AdminAction<null> = {
  synopsis: 'list',
  options: {},
  parse: () => null,
  async run(_input, { store, config, out }) {
    const now = new Date();
    out(formatTable([
      { header: 'ID', value: (h) => h.id },
      { header: 'NAME', value: (h) => h.name },
      { header: 'STATE', value: (h) => h.state },
      { header: 'VERSION', value: (h) => h.version || '-' },
      { header: 'LAST CONTACT', value: (h) => h.lastContact },
      // Silent: not heard from for VPNGW_HOST_HEARTBEAT_TIMEOUT_MS (its gateways carry a message saying so).
      { header: 'CONNECTED', value: (h) => (isSilent(String(h.lastContact), now, config.hostHeartbeatTimeoutMs) ? `no, silent since ${String(h.lastContact)}` : 'yes') },
      { header: 'ADDRESSES', value: (h) => h.addressCount },
      { header: 'BLOCKS', value: (h) => h.delegatedBlockCount },
      { header: 'GATEWAYS', value: (h) => h.gatewayCount },
    ], (await hostsOf(store).listHosts()) as unknown as Array<Record<string, unknown>>));
  },
};

const drain: AdminAction<{ id: string }> = {
  synopsis: 'drain --id HOST_ID',
  options: { id: { type: 'string' } },
  parse: (values) => ({ id: uuidOption(values, 'id') }),
  async run({ id }, { store, out }) {
    if (!(await hostsOf(store).setHostState(id, 'DRAINING'))) throw new OperatorRefusal(`there is no gateway host ${id}.`);
    out(`Host ${id} is DRAINING: it gets no new gateways; an active host holding their addresses takes over its own.\n`);
  },
};

const remove: AdminAction<{ id: string }> = {
  synopsis: 'remove --id HOST_ID',
  options: { id: { type: 'string' } },
  parse: (values) => ({ id: uuidOption(values, 'id') }),
  async run({ id }, { store, out }) {
    if (!(await hostsOf(store).removeHost(id))) throw new OperatorRefusal(`there is no gateway host ${id}.`);
    out(`Removed host ${id}; its credential no longer works.\n`);
  },
};

/** `vpngw host token create | list | drain | remove`. */
export function hostCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'token') return runAdminCommand('host token', { create: tokenCreate }, ABOUT, argv.slice(1));
  return runAdminCommand('host', { list, drain, remove }, ABOUT, argv);
}
