import type { ReconcilerHealth } from '../agent/reconciler.ts';
import { evaluateReadiness, reconcilerStaleAfterMs, type ReadinessReport, type StoreCheck } from './readiness.ts';

/** What /readyz reports: the checks' verdicts, or that the process is shutting down (no check runs then). */
export type ReadinessAnswer = ReadinessReport | { ready: false; shuttingDown: true; failures: string[] };

export interface ReadinessProbeDeps {
  store: { ping(): Promise<void> };
  reconciler: { health(): ReconcilerHealth };
  reconcileIntervalMs: number;
  /** How long the store's trivial query may take before it counts as failed. */
  storeTimeoutMs?: number;
  now?: () => number;
}

export const STORE_PING_TIMEOUT_MS = 2000;

/**
 * Answers readiness from one bounded store query and what the reconciler recorded at its last pass
 * (the data plane's prerequisites are checked there, not per probe, so a probe runs no commands).
 */
export class ReadinessProbe {
  private stopping = false;

  constructor(private readonly deps: ReadinessProbeDeps) {}

  /** From now on every answer is "shutting down", so a load balancer stops sending. */
  shuttingDown() {
    this.stopping = true;
  }

  async check(): Promise<ReadinessAnswer> {
    if (this.stopping) return { ready: false, shuttingDown: true, failures: ['shutting down'] };
    const storeTimeoutMs = this.deps.storeTimeoutMs ?? STORE_PING_TIMEOUT_MS;
    const store = await this.pingStore(storeTimeoutMs);
    if (this.stopping) return { ready: false, shuttingDown: true, failures: ['shutting down'] };
    const now = this.deps.now ?? Date.now;
    return evaluateReadiness({
      store, storeTimeoutMs, reconciler: this.deps.reconciler.health(), staleAfterMs: reconcilerStaleAfterMs(this.deps.reconcileIntervalMs), now: now(),
    });
  }

  private async pingStore(timeoutMs: number): Promise<StoreCheck> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<StoreCheck>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    try {
      return await Promise.race([this.deps.store.ping().then((): StoreCheck => 'ok', (): StoreCheck => 'unreachable'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
