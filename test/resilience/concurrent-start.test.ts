import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { assembleService, type RunningService } from '../../src/service-assembly.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres-database.ts';
import { basicAuth } from '../support/test-service.ts';

const ROUNDS = 6;
const ADMIN = 'first-admin@example.com';

/**
 * API servers share one PostgreSQL database; started at the same moment on an empty one, both migrate
 * it and both find no users. Both must come up, with one first contract and one administrator.
 */
describe('two servers starting at once on one empty PostgreSQL database', { skip: postgresUnavailable() }, () => {
  test(`both start, with exactly one first contract and administrator (${ROUNDS} rounds)`, async () => {
    const quiet = createLogger('silent', new Writable({ write(_chunk, _enc, done) { done(); } }));
    for (let round = 0; round < ROUNDS; round += 1) {
      const database = await createTestDatabase();
      const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'vpngw-start-')));
      const shared = {
        VPNGW_DATABASE_URL: database.url, VPNGW_ADMIN_EMAIL: ADMIN, VPNGW_RECONCILE_INTERVAL_MS: '100000',
        VPNGW_SECRET_KEY: randomBytes(32).toString('base64'), VPNGW_TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      };
      const started = await Promise.allSettled(dirs.map((dir) => assembleService(loadConfig([], { ...shared, VPNGW_DATA_DIR: dir }), quiet)));
      const services = started.filter((s): s is PromiseFulfilledResult<RunningService> => s.status === 'fulfilled').map((s) => s.value);
      try {
        const failures = started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason));
        assert.deepEqual(failures, [], `round ${round}: a server failed to start`);
        const passwords = services.map((s) => s.generatedAdminPassword).filter((p): p is string => p !== undefined);
        assert.equal(passwords.length, 1, `round ${round}: exactly one server created the administrator`);
        const [first] = services;
        assert.equal(await first?.store.countUsers(), 1, `round ${round}: one user`);
        assert.ok(await first?.store.findContract(31000001), `round ${round}: the first contract`);
        assert.equal(await first?.store.findContract(31000002), undefined, `round ${round}: no second contract`);
        for (const service of services) {
          const res = await service.app.inject({ method: 'GET', url: '/wireguardgateways', headers: { authorization: basicAuth(ADMIN, passwords[0] ?? '') } });
          assert.equal(res.statusCode, 200, `round ${round}: the administrator logs in on every server`);
        }
      } finally {
        for (const service of services) await service.close();
        await database.drop();
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
