import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { desiredGateway } from '../agent/desired-state-builder.ts';
import { lanKey } from '../domain/datacenters.ts';
import type { DesiredGateway } from '../domain/desired-state.ts';
import { forbidden, notFound, unauthorized, ApiError } from '../domain/errors.ts';
import { validateInventory } from '../domain/host-inventory.ts';
import { isSilent } from '../domain/silent-host.ts';
import type { Principal } from '../domain/principal.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { HostInventory, HostRecord, HostStore, HostSummary, UnplacedGateway } from '../store/host-store.ts';
import type { LiveStateStore } from '../store/live-state-store.ts';
import type { Store } from '../store/store.ts';
import type { LiveStateEntry } from '../agent/live-state-report.ts';
import type { ChangeFeed } from './change-feed.ts';
import { LiveStateService } from './live-state-service.ts';

/**
 * The fleet's control plane: installation administrators create enrollment tokens and manage hosts;
 * an agent enrolls once with a token, then authenticates with its own credential to send its
 * inventory, watch the desired state of the gateways placed on its host, and report what it applied.
 *
 * Secrets: tokens and credentials are 256-bit random values, stored only as their SHA-256 (a salt or
 * a slow hash adds nothing to a secret that cannot be guessed), shown once. Gateway secrets are
 * decrypted here, only for the host a gateway is placed on: an agent never holds the SecretBox.
 */

const ENROLLMENT_PREFIX = 'vpngw-enroll.';
const CREDENTIAL_PREFIX = 'vpngw-agent.';
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** Watches one process holds waiting at most; more are answered at once (the agent asks again). */
const MAX_WAITING_WATCHES = 10_000;

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
const newSecret = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

/** Whether an Authorization header carries an agent credential (and so belongs on /agent/v1 only). */
export function isAgentCredential(authorization: string | undefined): boolean {
  const [scheme, value] = (authorization ?? '').trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === 'bearer' && (value ?? '').startsWith(CREDENTIAL_PREFIX);
}

export interface IssuedEnrollmentToken {
  id: string;
  /** Shown once: only its digest is stored. */
  token: string;
  expiresAt: string;
}

/** A new single-use enrollment token valid for ttlSeconds (the API's and the operator command's). */
export async function issueEnrollmentToken(hosts: HostStore, createdBy: string, ttlSeconds: number, now = new Date()): Promise<IssuedEnrollmentToken> {
  const token = newSecret(ENROLLMENT_PREFIX);
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await hosts.insertEnrollmentToken({ id, tokenHash: digest(token), expiresAt, createdBy });
  return { id, token, expiresAt };
}

export interface FleetServiceDeps {
  hosts: HostStore;
  store: Store;
  secretBox: SecretBox;
  feed: ChangeFeed;
  now?: () => Date;
  /** An ACTIVE host not heard from for this long is silent (VPNGW_HOST_HEARTBEAT_TIMEOUT_MS). */
  hostHeartbeatTimeoutMs?: number;
  /** Where agents' live state goes (PUT /agent/v1/live-state); without it that endpoint answers 501. */
  liveStates?: LiveStateStore;
}

/** A host as the administrators list it, with whether it calls in. */
export interface HostListing extends HostSummary {
  /** False once the host has not been heard from for the heartbeat timeout. */
  connected: boolean;
}

const DEFAULT_HOST_HEARTBEAT_TIMEOUT_MS = 60_000;

/** The answer of the desired-state watch. */
export interface DesiredAnswer {
  revision: number;
  full: boolean;
  gateways: DesiredGateway[];
  removed: string[];
}

export interface ReportItem {
  id: string;
  generation: number;
  status: 'AVAILABLE' | 'FAILED';
  message?: string;
}

export class FleetService {
  private stopping = false;

  constructor(private readonly deps: FleetServiceDeps) {}

  /** Ends every waiting watch with its current answer, so that the server can close without waiting for them. */
  stopWatches() {
    this.stopping = true;
    this.deps.feed.notify();
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** Hosts are the installation's, not a tenant's: only the administrators of its first contract manage them. */
  async requireInstallationAdministrator(principal: Principal): Promise<void> {
    if (principal.administrator && principal.contractNumber === (await this.deps.hosts.firstContractNumber())) return;
    throw forbidden('Only the installation\'s administrators (of its first contract) manage gateway hosts.');
  }

  createEnrollmentToken(createdBy: string, ttlSeconds: number): Promise<IssuedEnrollmentToken> {
    return issueEnrollmentToken(this.deps.hosts, createdBy, ttlSeconds, this.now());
  }

  async enroll(input: { token: string; name: string; version: string }): Promise<{ hostId: string; credential: string }> {
    if (!input.token.startsWith(ENROLLMENT_PREFIX) || !SECRET.test(input.token.slice(ENROLLMENT_PREFIX.length))) throw refusedToken();
    const credential = newSecret(CREDENTIAL_PREFIX);
    const date = this.now().toISOString();
    const host: HostRecord = { id: randomUUID(), name: input.name, state: 'ACTIVE', version: input.version, createdDate: date, lastContact: date };
    const refusal = await this.deps.hosts.enrollHost(digest(input.token), host, digest(credential));
    if (refusal === 'TOKEN_REFUSED') throw refusedToken();
    if (refusal === 'NAME_TAKEN') throw new ApiError(409, 'HOST_NAME_TAKEN', `name: a gateway host named ${input.name} is enrolled already.`);
    return { hostId: host.id, credential };
  }

  /** The host an agent's request comes from; 401 for anything but a current agent credential. */
  async authenticateAgent(authorization: string | undefined): Promise<HostRecord> {
    const [scheme, value = ''] = (authorization ?? '').trim().split(/\s+/, 2);
    const secret = value.slice(CREDENTIAL_PREFIX.length);
    if (scheme?.toLowerCase() !== 'bearer' || !value.startsWith(CREDENTIAL_PREFIX) || !SECRET.test(secret)) {
      throw unauthorized('The agent endpoints need a gateway host\'s credential: Authorization: Bearer vpngw-agent.<...>.');
    }
    const host = await this.deps.hosts.findHostByCredential(digest(value));
    if (!host) throw unauthorized('The credential is unknown or its host was removed.');
    return host;
  }

  /** Replaces the host's inventory (a heartbeat too); when it changed, gateways are placed again at once. */
  async replaceInventory(host: HostRecord, input: HostInventory & { version: string }): Promise<{ hostId: string; revision: number }> {
    const inventory = validateInventory(input);
    const outcome = await this.deps.hosts.replaceInventory(host.id, inventory, input.version, this.now().toISOString());
    if (outcome === 'removed') throw unauthorized('The host was removed.');
    // Only a changed inventory can move gateways; a heartbeat wakes no watch.
    if (outcome === 'replaced') this.deps.feed.notify();
    return { hostId: host.id, revision: await this.deps.hosts.currentRevision() };
  }

  /**
   * The watch: what changed for the host after `since` (everything when absent, older than the change
   * log keeps, or ahead of the store, as after a restore), answered at once when there is something,
   * else when a change arrives or after `waitMs`. The caller bounds waitMs.
   */
  async desired(host: HostRecord, since: number | undefined, waitMs: number, signal?: AbortSignal): Promise<DesiredAnswer> {
    await this.deps.hosts.touchHost(host.id, this.now().toISOString());
    const deadline = Date.now() + waitMs;
    for (;;) {
      const answer = await this.answer(host, since);
      const left = deadline - Date.now();
      if (answer.full || answer.gateways.length > 0 || answer.removed.length > 0 || left <= 0 || signal?.aborted || this.stopping) return answer;
      if (this.deps.feed.waiting >= MAX_WAITING_WATCHES) return answer;
      await this.deps.feed.next(left, signal);
      since = answer.revision;
    }
  }

  private async answer(host: HostRecord, since: number | undefined): Promise<DesiredAnswer> {
    const current = await this.deps.hosts.currentRevision();
    const changes = await this.deps.hosts.changesFor(host.id, since === undefined || since > current ? undefined : since);
    const { full } = changes;
    // The host's LAN bindings only when there is a gateway to describe: an idle watch costs the fewest queries.
    const inventory = changes.placed.length > 0 ? await this.deps.hosts.getInventory(host.id) : undefined;
    const bindings = new Map((inventory?.lans ?? []).map((l) => [lanKey(l.datacenterId, l.lanId), l.interface]));
    const gateways: DesiredGateway[] = [];
    const removed = [...changes.removed];
    for (const id of changes.placed) {
      const gateway = await this.deps.store.findGatewayAnywhere(id);
      if (!gateway || gateway.deleting) {
        if (!full) removed.push(id);
        continue;
      }
      gateways.push(desiredGateway(gateway, await this.deps.store.listAllChildren(id), this.deps.secretBox, bindings));
    }
    return { revision: changes.revision, full, gateways, removed: removed.sort() };
  }

  /** Records apply outcomes of gateways placed on the host; others are refused one by one, stale generations ignored. */
  async report(host: HostRecord, items: ReportItem[]): Promise<Array<{ id: string; outcome: 'RECORDED' | 'STALE' | 'NOT_PLACED_HERE' }>> {
    await this.deps.hosts.touchHost(host.id, this.now().toISOString());
    const results = [];
    for (const item of items) {
      const id = item.id.toLowerCase();
      if ((await this.deps.hosts.placementOf(id)) !== host.id) {
        results.push({ id, outcome: 'NOT_PLACED_HERE' as const });
        continue;
      }
      const recorded = await this.deps.store.recordApplyOutcome(id, item.generation, { status: item.status, message: item.message ?? null });
      results.push({ id, outcome: recorded ? 'RECORDED' as const : 'STALE' as const });
    }
    return results;
  }

  /** Stores the live state of the host's gateways; entries of gateways placed elsewhere are refused one by one. */
  receiveLiveState(host: HostRecord, entries: LiveStateEntry[]) {
    if (!this.deps.liveStates) throw new ApiError(501, 'NOT_IMPLEMENTED', 'This server keeps no live state.');
    return new LiveStateService({ liveStates: this.deps.liveStates, hosts: this.deps.hosts, ...(this.deps.now ? { now: this.deps.now } : {}) }).receive(host, entries);
  }

  private get heartbeatTimeoutMs() {
    return this.deps.hostHeartbeatTimeoutMs ?? DEFAULT_HOST_HEARTBEAT_TIMEOUT_MS;
  }

  async listHosts(): Promise<HostListing[]> {
    const now = this.now();
    return (await this.deps.hosts.listHosts()).map((h) => ({ ...h, connected: !isSilent(h.lastContact, now, this.heartbeatTimeoutMs) }));
  }

  /** Marks the gateways of ACTIVE hosts silent past the heartbeat timeout; how many hosts are silent. */
  markSilentHosts(): Promise<number> {
    return this.deps.hosts.markSilentHosts(new Date(this.now().getTime() - this.heartbeatTimeoutMs).toISOString());
  }

  /** The gateways no host runs, and why ("no gateway host holds 203.0.113.7"). */
  listUnplaced(): Promise<UnplacedGateway[]> {
    return this.deps.hosts.listUnplaced();
  }

  async drainHost(id: string): Promise<HostListing> {
    if (!(await this.deps.hosts.setHostState(id, 'DRAINING'))) throw notFound('Gateway host', id);
    this.deps.feed.notify();
    return this.summary(id);
  }

  /** Removes the host: its credential stops working at once and its gateways are placed again. */
  async removeHost(id: string): Promise<void> {
    if (!(await this.deps.hosts.removeHost(id))) throw notFound('Gateway host', id);
    this.deps.feed.notify();
  }

  private async summary(id: string): Promise<HostListing> {
    const found = (await this.listHosts()).find((h) => h.id === id);
    if (!found) throw notFound('Gateway host', id);
    return found;
  }
}

function refusedToken(): ApiError {
  return unauthorized('token: the enrollment token is unknown, expired or used already.');
}
