import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LiveStateSource } from '../agent/driver.ts';
import type { PassReport, ReconcileObserver } from '../agent/reconciler.ts';
import type { LoginObserver, LoginRefusalReason } from '../service/auth-service.ts';
import type { Store } from '../store/store.ts';
import type { HostStore } from '../store/host-store.ts';
import { isSilent } from '../domain/silent-host.ts';
import { LiveStateMetrics } from './live-state-metrics.ts';
import { registerSchemaGauge } from './schema-gauge.ts';
import { countResources, RESOURCE_KINDS } from './resource-counts.ts';
import { ResourceStatusValues } from '../schemas/common.ts';

export interface MetricsDeps {
  store: Store;
  /** The data plane's live sessions; without it no per-peer or per-tunnel series are exported. */
  liveState?: LiveStateSource;
  /** Process metrics (CPU, memory, event loop); off in tests, which build many services in one process. */
  processMetrics?: boolean;
  /** The fleet's hosts, counted by state and silence at scrape time. */
  fleet?: { hosts: HostStore; heartbeatTimeoutMs: number; now: () => Date };
}

/** The HTTP series, recorded once per response. */
export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route' | 'status_code'>;
}

/** Every series the service exports, in its own registry (no global default registry). */
export interface ServiceMetrics {
  registry: Registry;
  http: HttpMetrics;
  /** Requests refused by the per-address rate limit. */
  rateLimited: Counter;
  /** Passed to the authentication service: Basic logins refused before their password was checked. */
  login: LoginObserver;
  /** Passed to the reconciler, which knows no metrics library. */
  reconcile: ReconcileObserver;
  /** Reads the slow sources (the data plane) once per scrape, before the registry is serialised. */
  beforeScrape(): Promise<void>;
}

function httpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['method', 'route', 'status_code'] as const;
  return {
    requests: new Counter({ name: 'vpngw_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames, registers: [registry] }),
    duration: new Histogram({
      name: 'vpngw_http_request_duration_seconds', help: 'HTTP request latency, by method, route pattern and status code.', labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
    }),
  };
}

function loginObserver(registry: Registry): LoginObserver {
  const refused = new Counter({
    name: 'vpngw_login_throttled_total', labelNames: ['reason'], registers: [registry],
    help: 'Basic logins refused without a password check: reason account_address or address (429, too many failures), busy (503, too many checks at once).',
  });
  const reasons: LoginRefusalReason[] = ['account_address', 'address', 'busy'];
  for (const reason of reasons) refused.inc({ reason }, 0);
  return { refused: (reason) => refused.inc({ reason }) };
}

function reconcileObserver(registry: Registry): ReconcileObserver {
  const passes = new Counter({ name: 'vpngw_reconcile_passes_total', help: 'Reconcile passes, by mode (full or changes) and outcome (ok or error).', labelNames: ['mode', 'outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'vpngw_reconcile_pass_duration_seconds', help: 'Duration of reconcile passes, by mode.', labelNames: ['mode'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  const gateways = new Counter({ name: 'vpngw_reconcile_gateways_total', help: 'Gateways handled by reconcile passes, by result (applied, failed, removed).', labelNames: ['result'], registers: [registry] });
  const lastSuccess = new Gauge({ name: 'vpngw_reconcile_last_success_timestamp_seconds', help: 'Unix time of the last reconcile pass that completed.', registers: [registry] });
  const mode = (report: PassReport) => (report.full ? 'full' : 'changes');
  return {
    passCompleted(report, summary) {
      passes.inc({ mode: mode(report), outcome: 'ok' });
      duration.observe({ mode: mode(report) }, report.seconds);
      gateways.inc({ result: 'applied' }, summary.applied);
      gateways.inc({ result: 'failed' }, summary.failed);
      gateways.inc({ result: 'removed' }, summary.removed);
      lastSuccess.setToCurrentTime();
    },
    passFailed(report) {
      passes.inc({ mode: mode(report), outcome: 'error' });
      duration.observe({ mode: mode(report) }, report.seconds);
    },
  };
}

function resourceGauge(registry: Registry, store: Store): void {
  new Gauge({
    name: 'vpngw_resources', help: 'VPN resources by kind (type) and status, read from the store at scrape time.', labelNames: ['kind', 'status'], registers: [registry],
    async collect() {
      const counts = await countResources(store);
      this.reset();
      // Zeros included, so a dashboard sees FAILED drop to 0 instead of the series vanishing.
      for (const kind of RESOURCE_KINDS) for (const status of ResourceStatusValues) this.set({ kind, status }, counts.get(`${kind}/${status}`) ?? 0);
    },
  });
}

function fleetGauges(registry: Registry, fleet: NonNullable<MetricsDeps['fleet']>): void {
  new Gauge({
    name: 'vpngw_fleet_hosts', help: 'Gateway hosts by state (ACTIVE, DRAINING), read from the store at scrape time.', labelNames: ['state'], registers: [registry],
    async collect() {
      const hosts = await fleet.hosts.listHosts();
      this.reset();
      for (const state of ['ACTIVE', 'DRAINING'] as const) this.set({ state }, hosts.filter((h) => h.state === state).length);
    },
  });
  new Gauge({
    name: 'vpngw_fleet_hosts_silent', help: 'ACTIVE gateway hosts not heard from for VPNGW_HOST_HEARTBEAT_TIMEOUT_MS.', registers: [registry],
    async collect() {
      const now = fleet.now();
      const hosts = await fleet.hosts.listHosts();
      this.set(hosts.filter((h) => h.state === 'ACTIVE' && isSilent(h.lastContact, now, fleet.heartbeatTimeoutMs)).length);
    },
  });
}

/** Builds the registry with HTTP, reconciler, resource and (when the driver reports it) live data-plane series. */
export function createServiceMetrics(deps: MetricsDeps): ServiceMetrics {
  const registry = new Registry();
  if (deps.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'vpngw_' });
  resourceGauge(registry, deps.store);
  registerSchemaGauge(registry);
  if (deps.fleet) fleetGauges(registry, deps.fleet);
  const live = deps.liveState ? new LiveStateMetrics(registry, deps.store, deps.liveState) : undefined;
  return {
    registry,
    http: httpMetrics(registry),
    rateLimited: new Counter({ name: 'vpngw_http_rate_limited_total', help: 'Requests refused with 429 by the per-address rate limit (VPNGW_RATE_LIMIT).', registers: [registry] }),
    login: loginObserver(registry),
    reconcile: reconcileObserver(registry),
    beforeScrape: async () => live?.refresh(),
  };
}
