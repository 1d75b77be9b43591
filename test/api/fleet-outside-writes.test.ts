import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/open-store.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { runCli } from '../cli/support/cli-harness.ts';
import { enrollHost } from '../support/fleet-hosts.ts';
import { createTestDatabase } from '../support/postgres-database.ts';
import { startTestService, testEngine } from '../support/test-service.ts';

/**
 * Writes the serving process did not make itself: the operator's CLI on the same store (another
 * process, so no notify() of the server's hears it) and a store that ran with an embedded data plane
 * before the server was started with --driver none.
 */
describe('fleet: writes from outside the serving process', () => {
  test('a host removed through another connection to the store reaches a waiting watch of another host within about a second', async () => {
    const svc = await startTestService({ env: { VPNGW_DRIVER: 'none' } });
    const cli = await openStore(loadConfig([], svc.env));
    cli.placement.ownsUnplacedStatus = true;
    try {
      const gatewayIP = wireguardGateway().properties.gatewayIP;
      const hostA = await enrollHost(svc, 'edge-a', [gatewayIP]);
      const hostB = await enrollHost(svc, 'edge-b', [gatewayIP]);
      const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      assert.equal(await svc.hosts.placementOf(id), hostA.hostId, 'the older host holding the address runs it');

      const start = await svc.request('GET', '/agent/v1/desired', undefined, hostB.agent);
      assert.deepEqual(start.body.gateways, []);
      const since = start.body.revision as number;
      const startedAt = Date.now();
      const watch = svc.request('GET', `/agent/v1/desired?since=${since}&wait=20`, undefined, hostB.agent);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the watch is waiting
      assert.equal(await cli.hosts.removeHost(hostA.hostId), true);
      const answer = await watch;
      const waitedMs = Date.now() - startedAt;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.gateways.map((g: { id: string }) => g.id), [id]);
      assert.ok(waitedMs < 3000, `the watch answered after ${waitedMs} ms, not at once after the write`);
    } finally {
      await cli.close();
      await svc.stop();
    }
  });

  test('`vpngw host remove` run with the service\'s settings writes an unplaced gateway\'s status as the server would', async () => {
    const svc = await startTestService({ env: { VPNGW_DRIVER: 'none' } });
    try {
      const gatewayIP = wireguardGateway().properties.gatewayIP;
      const host = await enrollHost(svc, 'edge-a', [gatewayIP]);
      const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
      const id = created.body.id as string;
      assert.equal((await svc.request('GET', `/wireguardgateways/${id}`)).body.metadata.status, 'PROVISIONING');
      const removed = await runCli(['host', 'remove', '--id', host.hostId], { PATH: process.env.PATH ?? '', ...svc.env });
      assert.equal(removed.status, 0, removed.stderr);
      const metadata = (await svc.request('GET', `/wireguardgateways/${id}`)).body.metadata;
      assert.equal(metadata.status, 'FAILED');
      assert.equal(metadata.statusMessage, `no gateway host holds ${gatewayIP}`);
    } finally {
      await svc.stop();
    }
  });

  test('a store that ran with an embedded data plane: started with --driver none, its gateways no host holds are FAILED with the reason at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-test-'));
    const database = testEngine() === 'postgres' ? await createTestDatabase() : undefined;
    const shared = { VPNGW_DATA_DIR: dataDir, ...(database ? { VPNGW_DATABASE_URL: database.url } : {}) };
    try {
      const oneBox = await startTestService({ postgres: false, env: shared });
      const created = await oneBox.request('POST', '/wireguardgateways', wireguardGateway());
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      await oneBox.close();

      const controlPlane = await startTestService({ postgres: false, env: { ...shared, VPNGW_DRIVER: 'none' } });
      try {
        const metadata = (await controlPlane.request('GET', `/wireguardgateways/${id}`)).body.metadata;
        assert.equal(metadata.status, 'FAILED');
        assert.equal(metadata.statusMessage, `no gateway host holds ${wireguardGateway().properties.gatewayIP}`);
        assert.deepEqual((await controlPlane.request('GET', '/fleet/v1/unplaced-gateways')).body.items.map((g: { id: string }) => g.id), [id]);
      } finally {
        await controlPlane.close();
      }
    } finally {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
