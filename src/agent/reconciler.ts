import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ApplyOutcome, DesiredStateSource, GatewayToConverge } from './desired-state-source.ts';
import { DataPlaneError, type DataPlaneDriver } from './driver.ts';

export interface ReconcilerDeps {
  /** What to converge and where outcomes go: the embedded store or an API server. */
  source: DesiredStateSource;
  driver: DataPlaneDriver;
  logger: Logger;
  /** How often a full pass runs even without a nudge (drift repair). */
  intervalMs: number;
  /** Told about every pass (e.g. for metrics); the agent itself depends on no metrics library. */
  observer?: ReconcileObserver;
}

/** How one pass ran: full (every gateway) or only the changed ones, and how long it took. */
export interface PassReport {
  full: boolean;
  seconds: number;
}

export interface ReconcileObserver {
  passCompleted(report: PassReport, summary: PassSummary): void;
  passFailed(report: PassReport): void;
}

export interface PassSummary {
  applied: number;
  failed: number;
  removed: number;
}

/** The reconciler as readiness sees it. */
export interface ReconcilerHealth {
  running: boolean;
  /** Epoch ms of the last completed pass, or of the start while none has completed. */
  lastProgressAt?: number;
  passCompleted: boolean;
  /** What the data plane lacked at the last pass's check (empty: all there). */
  dataPlaneProblems: string[];
}

/**
 * One loop: observe, compare, apply, report status. Every pass handles every gateway (the driver
 * does nothing where desired and observed already match), so drift is repaired on the next pass.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private fullPassDue = true;
  private stopped = true;
  private startedAt: number | undefined;
  private lastCompletedAt: number | undefined;
  private dataPlaneProblems: string[] = [];
  passes = 0;

  constructor(private readonly deps: ReconcilerDeps) {}

  start() {
    this.stopped = false;
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.nudge({ full: true }), this.deps.intervalMs);
    this.timer.unref();
    this.nudge({ full: true });
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  get isRunning() {
    return !this.stopped;
  }

  /** Whether a pass is running now (a stop waits for it). */
  get passInProgress() {
    return this.running !== undefined;
  }

  /**
   * For readiness: whether it runs, when its last pass completed (epoch ms; before the first, when
   * it started) and what the data plane lacked at the last pass's check.
   */
  health(): ReconcilerHealth {
    const lastProgressAt = this.lastCompletedAt ?? this.startedAt;
    return {
      running: !this.stopped,
      ...(lastProgressAt !== undefined ? { lastProgressAt } : {}),
      passCompleted: this.lastCompletedAt !== undefined,
      dataPlaneProblems: this.dataPlaneProblems,
    };
  }

  /**
   * Asks for a pass soon; passes never overlap, and a nudge during a pass causes one more. A change
   * needs only the gateways with unapplied generations; the timer's full pass also repairs drift.
   */
  nudge(options: { full?: boolean } = {}) {
    if (options.full) this.fullPassDue = true;
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop() {
    do {
      this.again = false;
      const full = this.fullPassDue;
      this.fullPassDue = false;
      await this.runPass({ full }).catch((error: unknown) => this.deps.logger.error({ err: error }, 'reconcile pass failed'));
    } while (this.again && !this.stopped);
  }

  /** One pass: over every gateway when full (the default), else over those with unapplied changes. */
  async runPass(options: { full?: boolean } = { full: true }): Promise<PassSummary> {
    const started = performance.now();
    const report = () => ({ full: options.full === true, seconds: (performance.now() - started) / 1000 });
    try {
      const summary = await this.pass(options);
      this.deps.observer?.passCompleted(report(), summary);
      return summary;
    } catch (error) {
      this.deps.observer?.passFailed(report());
      throw error;
    }
  }

  private async pass(options: { full?: boolean }): Promise<PassSummary> {
    const summary: PassSummary = { applied: 0, failed: 0, removed: 0 };
    this.dataPlaneProblems = this.deps.driver.missingPrerequisites?.() ?? [];
    if (options.full) await this.deps.driver.sweepInterruptedWrites();
    const gateways = await this.deps.source.gatewaysToConverge({ full: options.full === true });
    // Gateways are independent: as many at once as the driver takes, so one slow gateway (a charon starting) holds up no other.
    const limit = pLimit(Math.max(1, this.deps.driver.parallelApplies ?? 1));
    await Promise.all(gateways.map((gateway) => limit(() => (gateway.deleting ? this.destroy(gateway, summary) : this.apply(gateway, summary)))));
    if (options.full) await this.removeUnwanted(new Set(gateways.map((g) => g.id)), summary);
    this.passes += 1;
    this.lastCompletedAt = Date.now();
    return summary;
  }

  private async apply(gateway: GatewayToConverge, summary: PassSummary) {
    let outcome: ApplyOutcome;
    try {
      await this.deps.driver.apply(await gateway.desired());
      outcome = { status: 'AVAILABLE', message: null };
      summary.applied += 1;
    } catch (error) {
      outcome = { status: 'FAILED', message: error instanceof DataPlaneError ? error.message : 'Internal error while applying the configuration.' };
      if (!(error instanceof DataPlaneError)) this.deps.logger.error({ err: error, gatewayId: gateway.id }, 'apply failed');
      summary.failed += 1;
    }
    const recorded = gateway.recorded;
    const unchanged = recorded !== undefined && recorded.appliedGeneration === gateway.generation && recorded.status === outcome.status && recorded.message === outcome.message;
    if (!unchanged) await this.deps.source.recordApplyOutcome(gateway.id, gateway.generation, outcome);
  }

  private async destroy(gateway: GatewayToConverge, summary: PassSummary) {
    try {
      await this.deps.driver.remove({ kind: gateway.kind, id: gateway.id });
      await this.deps.source.confirmRemoval(gateway.id);
      summary.removed += 1;
    } catch (error) {
      this.deps.logger.error({ err: error, gatewayId: gateway.id }, 'removing a gateway failed; retrying on the next pass');
    }
  }

  private async removeUnwanted(known: Set<string>, summary: PassSummary) {
    for (const ref of await this.deps.driver.listApplied()) {
      if (known.has(ref.id)) continue;
      await this.deps.driver.remove(ref);
      summary.removed += 1;
    }
  }
}
