import type { ReconcilerHealth } from '../agent/reconciler.ts';

/** What the store's trivial query gave: an answer, an error, or nothing within the bound. */
export type StoreCheck = 'ok' | 'unreachable' | 'timeout';

export interface ReadinessInputs {
  store: StoreCheck;
  /** The bound the store's query had, for the message. */
  storeTimeoutMs: number;
  reconciler: ReconcilerHealth;
  /** A reconciler whose last pass completed longer ago than this is taken as wedged. */
  staleAfterMs: number;
  /** Epoch ms. */
  now: number;
}

/** Each check's verdict: `ok`, or what is wrong. */
export interface ReadinessChecks {
  store: string;
  reconciler: string;
  dataPlane: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessChecks;
  /** One line per failed check, naming it ("store: not reachable"). */
  failures: string[];
}

/**
 * How long a reconciler may go without completing a pass before it counts as wedged: three of its
 * intervals, and slack for a long pass over many gateways.
 */
export function reconcilerStaleAfterMs(intervalMs: number): number {
  return 3 * intervalMs + 30_000;
}

function storeVerdict(check: StoreCheck, timeoutMs: number): string {
  if (check === 'ok') return 'ok';
  return check === 'timeout' ? `no answer within ${timeoutMs / 1000} s` : 'not reachable';
}

function reconcilerVerdict(health: ReconcilerHealth, staleAfterMs: number, now: number): string {
  if (!health.running) return 'not running';
  const since = health.lastProgressAt ?? now;
  const ageSeconds = Math.round((now - since) / 1000);
  if (now - since <= staleAfterMs) return 'ok';
  return health.passCompleted ? `last pass completed ${ageSeconds} s ago` : `no pass completed in the ${ageSeconds} s since it started`;
}

function dataPlaneVerdict(health: ReconcilerHealth): string {
  return health.dataPlaneProblems.length === 0 ? 'ok' : health.dataPlaneProblems.join('; ');
}

/** Ready when the store answered, the reconciler completed a pass recently and the data plane lacks nothing. */
export function evaluateReadiness(inputs: ReadinessInputs): ReadinessReport {
  const checks: ReadinessChecks = {
    store: storeVerdict(inputs.store, inputs.storeTimeoutMs),
    reconciler: reconcilerVerdict(inputs.reconciler, inputs.staleAfterMs, inputs.now),
    dataPlane: dataPlaneVerdict(inputs.reconciler),
  };
  const names: Record<keyof ReadinessChecks, string> = { store: 'store', reconciler: 'reconciler', dataPlane: 'data plane' };
  const failures = (Object.keys(checks) as Array<keyof ReadinessChecks>)
    .filter((key) => checks[key] !== 'ok')
    .map((key) => `${names[key]}: ${checks[key]}`);
  return { ready: failures.length === 0, checks, failures };
}
