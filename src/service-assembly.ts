import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { FilesDriver } from './agent/files-driver.ts';
import { Reconciler } from './agent/reconciler.ts';
import { StoreDesiredStateSource } from './agent/store-desired-state-source.ts';
import type { DataPlaneDriver, LiveStateSource } from './agent/driver.ts';
import { LinuxDriver } from './agent/linux/linux-driver.ts';
import { buildApp } from './api/app.ts';
import type { Config } from './config.ts';
import { createServiceMetrics } from './observability/metrics.ts';
import { ReadinessProbe } from './observability/readiness-probe.ts';
import { loadOrCreateKey } from './security/key-files.ts';
import { SecretBox } from './security/secret-box.ts';
import { loadTlsCredentials, secureContextOptions, TlsReloader } from './security/tls-credentials.ts';
import { AuditRetention } from './service/audit-retention.ts';
import { AuthService } from './service/auth-service.ts';
import { InProcessChangeFeed } from './service/change-feed.ts';
import { PostgresChangeFeed } from './store/postgres-change-feed.ts';
import { RevisionPoll } from './service/revision-poll.ts';
import { FleetChangeTrim } from './service/fleet-change-trim.ts';
import { DatacenterService } from './service/datacenter-service.ts';
import { DeletedGatewayPurger } from './service/deleted-gateway-purger.ts';
import { FleetService } from './service/fleet-service.ts';
import { SilentHostCheck } from './service/silent-host-check.ts';
import { StoredLiveStateSource } from './service/live-state-service.ts';
import { UserService } from './service/user-service.ts';
import { VpnService } from './service/vpn-service.ts';
import { openStore } from './store/open-store.ts';
import type { HostStore } from './store/host-store.ts';
import type { Store } from './store/store.ts';

export interface RunningService {
  app: FastifyInstance;
  store: Store;
  /** The fleet's gateway hosts, placements and change log. */
  hosts: HostStore;
  reconciler: Reconciler;
  /** What /readyz answers; close() turns it to "shutting down" first. */
  readiness: ReadinessProbe;
  auth: AuthService;
  /** Deletes audit records older than VPNGW_AUDIT_RETENTION_DAYS: at start, then hourly. */
  auditRetention: AuditRetention;
  /** Whether this start created the first contract's administrator (there were no users). */
  administratorCreated: boolean;
  /** Set when the first administrator was created with a generated password (printed once). */
  generatedAdminPassword?: string;
  /** With TLS: reads the certificate and key again (SIGHUP); false when they could not be used and the previous ones stay. */
  reloadTls?: () => boolean;
  /**
   * Drains: /readyz answers "shutting down", no new connection is accepted, requests in flight
   * finish, the reconciler's current pass finishes and no new one starts; then the store closes.
   */
  close(): Promise<void>;
}

/** The driver the configuration names: files (renders only) or linux (host or one network namespace). */
function configuredDriver(config: Config): DataPlaneDriver {
  if (config.driver !== 'linux') return new FilesDriver(join(config.dataDir, 'dataplane'));
  return new LinuxDriver({
    stateDir: join(config.dataDir, 'linux'), ipsecBackend: config.ipsecBackend, delegatedBlocks: config.delegatedBlocks, ...(config.netns ? { netns: config.netns } : {}),
  });
}

/** Readiness's view of a server without an embedded data plane: nothing to wait for. */
const noDataPlane = { health: () => ({ running: true, lastProgressAt: Date.now(), passCompleted: true, dataPlaneProblems: [] }) };

/** What a test may put in place of the real thing: the clock, a password check it counts. */
export interface ServiceOverrides {
  now?: () => Date;
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
}

function liveStateOf(driver: DataPlaneDriver): { liveState?: LiveStateSource } {
  return 'liveState' in driver && typeof driver.liveState === 'function' ? { liveState: driver as DataPlaneDriver & LiveStateSource } : {};
}

/** Builds the whole service from a configuration: store, keys, services, reconciler and API. */
export async function assembleService(config: Config, logger: Logger, driver?: DataPlaneDriver, overrides: ServiceOverrides = {}): Promise<RunningService> {
  // Unusable TLS files stop the start before anything is opened (TlsFilesError).
  const tls = config.tls ? loadTlsCredentials(config.tls) : undefined;
  const store = await openStore(config);
  const secretBox = new SecretBox(loadOrCreateKey(config.dataDir, 'secret.key', config.secretKey, 'VPNGW_SECRET_KEY'));
  const signingKey = loadOrCreateKey(config.dataDir, 'token-signing.key', config.tokenSigningKey, 'VPNGW_TOKEN_SIGNING_KEY');
  const dataPlane = driver ?? configuredDriver(config);
  // With the none driver the control plane places gateways and no embedded reconciler writes statuses: placement writes an unplaced gateway's.
  const embeddedDataPlane = driver !== undefined || config.driver !== 'none';
  store.placement.ownsUnplacedStatus = !embeddedDataPlane;
  const now = overrides.now ?? (() => new Date());
  // In a fleet, /status and the live gauges serve what the hosts' agents sent (PUT /agent/v1/live-state).
  const live = embeddedDataPlane ? liveStateOf(dataPlane) : { liveState: new StoredLiveStateSource({ liveStates: store.liveStates, heartbeatTimeoutMs: config.hostHeartbeatTimeoutMs, now }) };
  const metrics = createServiceMetrics({
    store, processMetrics: true, ...live, fleet: { hosts: store.hosts, heartbeatTimeoutMs: config.hostHeartbeatTimeoutMs, now },
  });
  const auth = new AuthService({ store, signingKey, observer: metrics.login, ...overrides });
  // A start that fails here must not leave the store's connections open behind it.
  const bootstrap = await auth.bootstrapAdministrator(config.adminEmail, config.adminPassword)
    .catch(async (error: unknown) => { await store.close(); throw error; });
  const reconciler = new Reconciler({
    observer: metrics.reconcile,
    source: new StoreDesiredStateSource(store, secretBox), logger: logger.child({ component: 'reconciler' }),
    driver: dataPlane,
    intervalMs: config.reconcileIntervalMs,
  });
  // With the none driver there is no embedded data plane: the reconciler never runs (nor writes a status) and readiness does not wait for it.
  const readiness = new ReadinessProbe({ store, reconciler: embeddedDataPlane ? reconciler : noDataPlane, reconcileIntervalMs: config.reconcileIntervalMs });
  // Gateway hosts' agents watch the changes placed on them (preview); with the files or linux driver the embedded reconciler also applies every gateway here.
  // Many API servers on one PostgreSQL hear each other's changes through LISTEN/NOTIFY.
  const changeFeed = config.databaseUrl ? new PostgresChangeFeed(config.databaseUrl, logger.child({ component: 'change-feed' })) : new InProcessChangeFeed();
  const fleet = new FleetService({
    hosts: store.hosts, liveStates: store.liveStates, store, secretBox, feed: changeFeed, hostHeartbeatTimeoutMs: config.hostHeartbeatTimeoutMs, ...(overrides.now ? { now: overrides.now } : {}),
  });
  // Changes no notify() announced (another process's write on the same store) reach the watches within a second.
  const revisionPoll = new RevisionPoll({ feed: changeFeed, readRevision: () => store.hosts.currentRevision(), logger: logger.child({ component: 'change-feed' }) });
  const changeTrim = new FleetChangeTrim({ hosts: store.hosts, logger: logger.child({ component: 'change-feed' }) });
  const silentHosts = new SilentHostCheck({ check: () => fleet.markSilentHosts(), timeoutMs: config.hostHeartbeatTimeoutMs, logger: logger.child({ component: 'silent-hosts' }) });
  const purger = embeddedDataPlane ? undefined : new DeletedGatewayPurger({ store, logger: logger.child({ component: 'purger' }) });
  const vpn = new VpnService({ store, secretBox, onChange: () => { reconciler.nudge(); purger?.nudge(); changeFeed.notify(); } });
  const app = await buildApp({
    vpn, auth, users: new UserService(store), datacenters: new DatacenterService(store), store, logger, location: config.location, publicUrl: config.publicUrl,
    rateLimitPerMinute: config.rateLimitPerMinute,
    http: config.http,
    fleet,
    ready: () => readiness.check(),
    metrics,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    ...live,
    ...(tls ? { tls } : {}),
    trustedProxies: config.trustedProxies,
  });
  const tlsReloader = config.tls ? new TlsReloader({
    files: config.tls,
    apply: (credentials) => (app.server as unknown as { setSecureContext(options: object): void }).setSecureContext(secureContextOptions(credentials)),
    log: logger.child({ component: 'tls' }),
  }) : undefined;
  tlsReloader?.watch();
  const auditRetention = new AuditRetention({ store, days: config.auditRetentionDays, logger: logger.child({ component: 'audit-retention' }) });
  if (changeFeed instanceof PostgresChangeFeed) await changeFeed.start();
  await revisionPoll.start();
  // A store that ran with an embedded data plane before holds gateways no placement has judged under this mode yet.
  if (!embeddedDataPlane) await store.hosts.placeAll();
  if (embeddedDataPlane) reconciler.start();
  purger?.nudge();
  auditRetention.start();
  changeTrim.start();
  if (!embeddedDataPlane) silentHosts.start();
  return {
    app, store, hosts: store.hosts, reconciler, readiness, auth, auditRetention, administratorCreated: bootstrap.created,
    ...(bootstrap.generatedPassword ? { generatedAdminPassword: bootstrap.generatedPassword } : {}),
    ...(tlsReloader ? { reloadTls: () => tlsReloader.reload('SIGHUP') } : {}),
    async close() {
      tlsReloader?.close();
      readiness.shuttingDown();
      revisionPoll.stop();
      await Promise.all([app.close(), reconciler.stop(), auditRetention.stop(), changeTrim.stop(), purger?.stop(), silentHosts.stop()]);
      if (changeFeed instanceof PostgresChangeFeed) await changeFeed.close();
      await store.close();
    },
  };
}
