import type { Logger } from 'pino';
import type { DataPlaneDriver, GatewayLiveState, GatewayRef, LiveStateSource } from '../driver.ts';
import { chunks, LIVE_STATE_LIMITS, LiveStateChanges } from '../live-state-report.ts';

/** The part of the agent's client the sender uses. */
export interface LiveStateClient {
  request(method: string, path: string, options: { body?: unknown; signal?: AbortSignal }): Promise<unknown>;
}

export interface LiveStateSenderDeps {
  driver: DataPlaneDriver & LiveStateSource;
  client: LiveStateClient;
  logger: Logger;
  /** The gateways placed on this host now (from the desired-state watch). */
  placed: () => ReadonlySet<string>;
  now?: () => Date;
}

/** Whether the driver can tell live state (linux can; files renders only). */
export function hasLiveState(driver: DataPlaneDriver): driver is DataPlaneDriver & LiveStateSource {
  return 'liveState' in driver && typeof (driver as Partial<LiveStateSource>).liveState === 'function';
}

/**
 * Sends the live state of the gateways this host runs (placed here and applied by the driver) to
 * PUT /agent/v1/live-state: only those whose state changed since the last send that succeeded, in
 * requests of at most LIVE_STATE_LIMITS.gatewaysPerRequest. A failed send, or forgetDelivered() (a new
 * snapshot, as after a reconnect), makes the next one carry everything. One send at a time.
 */
export class LiveStateSender {
  private readonly changes = new LiveStateChanges();
  private running: Promise<number> | undefined;

  constructor(private readonly deps: LiveStateSenderDeps) {}

  forgetDelivered(): void {
    this.changes.forget();
  }

  /** Sends what changed, of `only` these gateways when given; after the send in flight, if any. Answers how many were sent. */
  async send(signal: AbortSignal, only?: ReadonlySet<string>): Promise<number> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.sendNow(signal, only);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  private async sendNow(signal: AbortSignal, only?: ReadonlySet<string>): Promise<number> {
    const placed = this.deps.placed();
    const running = (await this.deps.driver.listApplied()).filter((ref) => placed.has(ref.id) && (!only || only.has(ref.id)));
    if (!only) this.changes.retain(new Set(running.map((ref) => ref.id)));
    const observed = await this.observe(running);
    const changed = this.changes.changed(observed);
    for (const batch of chunks(changed, LIVE_STATE_LIMITS.gatewaysPerRequest)) {
      try {
        await this.deps.client.request('PUT', '/agent/v1/live-state', { body: { gateways: batch.map((c) => c.entry) }, signal });
      } catch (error) {
        this.changes.forget();
        throw error;
      }
      this.changes.confirm(batch);
    }
    return changed.length;
  }

  /** Asks the driver about each gateway; one that cannot be observed now is left out of this send. */
  private async observe(refs: GatewayRef[]): Promise<Array<{ ref: GatewayRef; live: GatewayLiveState; observedAt: string }>> {
    const observed = [];
    for (const ref of refs) {
      try {
        const live = await this.deps.driver.liveState(ref);
        observed.push({ ref, live, observedAt: (this.deps.now?.() ?? new Date()).toISOString() });
      } catch (error) {
        this.deps.logger.warn({ err: error, gatewayId: ref.id }, 'observing the live state failed');
      }
    }
    return observed;
  }
}
