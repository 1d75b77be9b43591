import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { FilesDriver } from './agent/files-driver.ts';
import { Reconciler } from './agent/reconciler.ts';
import type { DataPlaneDriver } from './agent/driver.ts';
import { buildApp } from './api/app.ts';
import type { Config } from './config.ts';
import { loadOrCreateKey } from './security/key-files.ts';
import { SecretBox } from './security/secret-box.ts';
import { AuthService } from './service/auth-service.ts';
import { VpnService } from './service/vpn-service.ts';
import { openSqliteStore } from './store/sqlite-store.ts';
import type { Store } from './store/store.ts';

export interface RunningService {
  app: FastifyInstance;
  store: Store;
  reconciler: Reconciler;
  auth: AuthService;
  /** Set when the first administrator was created with a generated password (printed once). */
  generatedAdminPassword?: string;
  close(): Promise<void>;
}

/** Builds the whole service from a configuration: store, keys, services, reconciler and API. */
export async function assembleService(config: Config, logger: Logger, driver?: DataPlaneDriver): Promise<RunningService> {
  const store = await openSqliteStore(join(config.dataDir, 'vpngw.sqlite'));
  const secretBox = new SecretBox(loadOrCreateKey(config.dataDir, 'secret.key', config.secretKey, 'VPNGW_SECRET_KEY'));
  const signingKey = loadOrCreateKey(config.dataDir, 'token-signing.key', config.tokenSigningKey, 'VPNGW_TOKEN_SIGNING_KEY');
  const auth = new AuthService({ store, signingKey });
  const bootstrap = await auth.bootstrapAdministrator(config.adminEmail, config.adminPassword);
  const reconciler = new Reconciler({
    store, secretBox, logger: logger.child({ component: 'reconciler' }),
    driver: driver ?? new FilesDriver(join(config.dataDir, 'dataplane')),
    intervalMs: config.reconcileIntervalMs,
  });
  const vpn = new VpnService({ store, secretBox, onChange: () => reconciler.nudge() });
  const app = await buildApp({
    vpn, auth, logger, location: config.location, publicUrl: config.publicUrl,
    ready: async () => (await store.ping(), reconciler.isRunning),
  });
  reconciler.start();
  return {
    app, store, reconciler, auth,
    ...(bootstrap.generatedPassword ? { generatedAdminPassword: bootstrap.generatedPassword } : {}),
    async close() {
      await app.close();
      await reconciler.stop();
      await store.close();
    },
  };
}
