import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { DesiredGateway, GatewayKind } from '../../domain/desired-state.ts';
import type { DataPlaneDriver } from '../driver.ts';
import { Reconciler } from '../reconciler.ts';
import { AgentApiClient, AgentRequestError, AgentUnauthorizedError } from './agent-api-client.ts';
import { readCredential, writeCredential } from './agent-credential.ts';
import type { AgentSettings } from './agent-settings.ts';
import { hasLiveState, LiveStateSender } from './live-state-sender.ts';
import { RemoteDesiredStateSource, type ReportItem } from './remote-desired-state-source.ts';

const WATCH_SECONDS = 30;

interface DesiredAnswer {
  revision: number;
  full: boolean;
  gateways: DesiredGateway[];
  removed: string[];
}

export interface AgentLoopDeps {
  settings: AgentSettings;
  client: AgentApiClient;
  driver: DataPlaneDriver;
  logger: Logger;
  version: string;
}

/**
 * The agent: enroll once, send the inventory (again as a heartbeat), take a full snapshot and apply
 * it, then watch for changes and apply those, reporting every outcome; a full pass against the last
 * snapshot every reconcile interval repairs drift, on a timer of its own, so the watch stays open
 * meanwhile (one request per watch period, whatever the interval). Passes run one at a time. Runs
 * until stop() or a refused credential.
 */
export class AgentLoop {
  private readonly source = new RemoteDesiredStateSource();
  private readonly reconciler: Reconciler;
  private readonly stopping = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  private fatal: Error | undefined;
  private revision: number | undefined;
  private lastFullPassAt = 0;
  /** Passes (the watch's and drift repair's) one at a time, in the order they came. */
  private readonly passes = pLimit(1);
  private driftTimer: NodeJS.Timeout | undefined;
  /** The gateways placed on this host, as the watch's answers say. */
  private readonly placed = new Set<string>();
  /** Absent with a driver that has no live state (files) or when turned off (interval 0). */
  private readonly liveState: LiveStateSender | undefined;
  private liveStateTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AgentLoopDeps) {
    this.reconciler = new Reconciler({
      source: this.source, driver: deps.driver, logger: deps.logger.child({ component: 'reconciler' }), intervalMs: deps.settings.reconcileIntervalMs,
    });
    const { driver, client, logger, settings } = deps;
    if (hasLiveState(driver) && settings.liveStateIntervalMs > 0) {
      this.liveState = new LiveStateSender({ driver, client, logger: logger.child({ component: 'live-state' }), placed: () => this.placed });
    }
  }

  /** Ends the watch at once; the pass running now finishes first. */
  stop(): void {
    this.stopping.abort();
  }

  /** Resolves when stopped; rejects with AgentUnauthorizedError when the host was removed. */
  async run(): Promise<void> {
    const signal = this.stopping.signal;
    try {
      await this.enrollIfNeeded(signal);
      await this.sendInventory(signal);
      let beating = false; // a heartbeat still retrying (servers down) is not joined by another
      this.heartbeat = setInterval(() => {
        if (beating) return;
        beating = true;
        this.sendInventory(signal).catch((error: unknown) => this.failed(error)).finally(() => (beating = false));
      }, this.deps.settings.heartbeatMs);
      this.startLiveState(signal);
      this.driftTimer = setInterval(() => this.repairDriftIfDue(), Math.min(1000, this.deps.settings.reconcileIntervalMs));
      while (!signal.aborted && !this.fatal) {
        const since = this.revision === undefined ? '' : `since=${this.revision}&`;
        const wait = this.revision === undefined ? 0 : WATCH_SECONDS;
        const answer = await this.deps.client.request('GET', `/agent/v1/desired?${since}wait=${wait}`, { signal, waitSeconds: wait }) as DesiredAnswer;
        await this.passes(() => this.converge(answer));
      }
    } catch (error) {
      if (!signal.aborted || error instanceof AgentUnauthorizedError) throw this.fatal ?? error;
    } finally {
      clearInterval(this.heartbeat);
      clearInterval(this.liveStateTimer);
      clearInterval(this.driftTimer);
      await this.passes(async () => undefined); // a pass under way finishes first
    }
    if (this.fatal) throw this.fatal;
  }

  private failed(error: unknown) {
    if (error instanceof AgentUnauthorizedError) {
      this.fatal = error;
      this.stopping.abort();
    } else if (!this.stopping.signal.aborted) {
      this.deps.logger.warn({ err: error }, 'sending the inventory failed');
    }
  }

  /** Every interval, the live state that changed; a send still retrying (servers down) is not joined by another. */
  private startLiveState(signal: AbortSignal) {
    const sender = this.liveState;
    if (!sender) return;
    this.liveStateTimer = setInterval(() => {
      if (!sender.busy) this.sendLiveState(sender, signal);
    }, this.deps.settings.liveStateIntervalMs);
  }

  private sendLiveState(sender: LiveStateSender, signal: AbortSignal, only?: ReadonlySet<string>) {
    sender.send(signal, only).catch((error: unknown) => {
      if (error instanceof AgentUnauthorizedError) return this.failed(error);
      if (!signal.aborted) this.deps.logger.warn({ err: error }, 'sending the live state failed');
    });
  }

  /** A full pass against the last snapshot once the reconcile interval has passed since the last one, unless a pass is under way or waiting. */
  private repairDriftIfDue() {
    if (this.revision === undefined || this.untilFullPassMs() > 0 || this.passes.activeCount + this.passes.pendingCount > 0 || this.stopping.signal.aborted) return;
    this.passes(async () => {
      this.lastFullPassAt = Date.now(); // also when it fails: the next try comes an interval later
      const summary = await this.reconciler.runPass({ full: true });
      this.deps.logger.info({ full: true, revision: this.revision, gateways: this.source.size, ...summary }, 'pass completed');
      await this.report();
    }).catch((error: unknown) => {
      if (error instanceof AgentUnauthorizedError) this.failed(error);
      else if (!this.stopping.signal.aborted) this.deps.logger.warn({ err: error }, 'the drift-repair pass failed; tried again at the next interval');
    });
  }

  private untilFullPassMs(): number {
    return this.lastFullPassAt + this.deps.settings.reconcileIntervalMs - Date.now();
  }

  private async enrollIfNeeded(signal: AbortSignal) {
    const known = readCredential(this.deps.settings.dataDir);
    if (known) {
      this.deps.client.credential = known.credential;
      this.deps.logger.info({ hostId: known.hostId }, 'using the stored credential');
      return;
    }
    const file = this.deps.settings.enrollmentTokenFile;
    if (!file) throw new AgentRequestError('not enrolled yet: give --enrollment-token-file with a token from `vpngw host token create`');
    const token = readFileSync(file, 'utf8').trim();
    const enrolled = await this.deps.client.request('POST', '/agent/v1/enroll', {
      body: { token, name: this.deps.settings.name, version: this.deps.version }, signal,
    }).catch((error: unknown) => {
      throw error instanceof AgentUnauthorizedError ? new AgentUnauthorizedError(`enrollment refused: ${error.message}`) : error;
    }) as { hostId: string; credential: string };
    writeCredential(this.deps.settings.dataDir, enrolled);
    this.deps.client.credential = enrolled.credential;
    this.deps.logger.info({ hostId: enrolled.hostId, name: this.deps.settings.name }, 'enrolled');
  }

  private async sendInventory(signal: AbortSignal) {
    const { addresses, delegatedBlocks, lans } = this.deps.settings;
    await this.deps.client.request('PUT', '/agent/v1/inventory', { body: { addresses, delegatedBlocks, lans, version: this.deps.version }, signal });
  }

  private async converge(answer: DesiredAnswer) {
    const fullPassDue = this.untilFullPassMs() <= 0;
    if (answer.full) {
      this.source.replaceAll(answer.gateways);
      this.placed.clear();
      // A snapshot comes at the start and after a reconnect: the server may have lost what was sent.
      this.liveState?.forgetDelivered();
    } else if (answer.gateways.length > 0 || answer.removed.length > 0) {
      this.source.applyChanges(answer.gateways, answer.removed, await this.appliedKinds());
    }
    for (const gateway of answer.gateways) this.placed.add(gateway.id);
    for (const id of answer.removed) this.placed.delete(id);
    const full = answer.full || fullPassDue;
    if (full || this.source.hasChanges) {
      const summary = await this.reconciler.runPass({ full });
      if (full) this.lastFullPassAt = Date.now();
      this.deps.logger.info({ full, revision: answer.revision, gateways: this.source.size, ...summary }, 'pass completed');
    }
    this.revision = answer.revision;
    await this.report();
  }

  private async appliedKinds(): Promise<Map<string, GatewayKind>> {
    return new Map((await this.deps.driver.listApplied()).map((ref) => [ref.id, ref.kind]));
  }

  private async report() {
    const items: ReportItem[] = this.source.pendingReports();
    if (items.length === 0) return;
    // Reported even while stopping (for a few seconds at most): the outcome of a finished pass should not be lost.
    const stopping = this.stopping.signal.aborted;
    await this.deps.client.request('POST', '/agent/v1/reports', { body: { gateways: items }, signal: stopping ? AbortSignal.timeout(5000) : this.stopping.signal });
    this.source.reportsDelivered(items);
    // Right after a gateway became AVAILABLE its live state is sent, so that /status is useful at once.
    const available = new Set(items.filter((i) => i.status === 'AVAILABLE').map((i) => i.id));
    if (this.liveState && available.size > 0 && !stopping) this.sendLiveState(this.liveState, this.stopping.signal, available);
  }
}
