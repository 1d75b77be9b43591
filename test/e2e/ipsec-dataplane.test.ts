import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createIpsecSites, extraRemoteAddresses, gatewaySasRaw, pingThrough, tunnelProperties, type E2eTunnel } from './support/ipsec-tunnels.ts';
import { CONNECTIONS, settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, isAlive, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology } from './support/topology.ts';

// One CBC, one GCM and one CTR proposal, each with another DH group.
const TUNNELS: E2eTunnel[] = [
  { name: 'cbc', remote: '192.0.2.2', index: 1, security: { diffieHellmanGroup: '15-MODP3072', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', lifetime: 3600 } },
  { name: 'gcm', remote: '192.0.2.3', index: 2, security: { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA384', lifetime: 3600 } },
  { name: 'ctr', remote: '192.0.2.4', index: 3, security: { diffieHellmanGroup: '20-ECP384', encryptionAlgorithm: 'AES128-CTR', integrityAlgorithm: 'SHA512', lifetime: 3600 } },
];

/** IKE_SA unique ids per connection on the gateway's charon: a new id means the SA was renegotiated. */
async function gatewaySaIds(svc: E2eService): Promise<Map<string, string>> {
  const raw = await gatewaySasRaw(svc);
  const ids = new Map<string, string>();
  for (const match of raw.matchAll(/\{(t-[0-9a-f-]{36}) \{uniqueid=(\d+) version=2 state=ESTABLISHED/g)) ids.set(match[1] ?? '', match[2] ?? '');
  return ids;
}

test('IPSec tunnels become strongSwan connections that carry traffic, reload one at a time and survive a killed charon', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t)) return;
  const topology = await createTopology(extraRemoteAddresses(TUNNELS));
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology.gw);
    const service = svc;
    const { gatewayId, tunnelIds } = await createIpsecSites(topology, service, 'e2e', TUNNELS);
    const allCarry = async () => {
      for (const tunnel of TUNNELS) {
        await eventually(`ping through the ${tunnel.name} tunnel`, () => pingThrough(topology, tunnel), 30_000);
      }
    };

    await t.test('CBC, GCM and CTR tunnels with different DH groups carry packets', allCarry);

    await t.test('the status extension shows IKE and CHILD SAs established per tunnel', async () => {
      const status = await service.request('GET', `/ipsecgateways/${gatewayId}/status`);
      assert.equal(status.status, 200);
      assert.equal(status.body.properties.tunnels.length, 3);
      for (const tunnel of status.body.properties.tunnels) assert.deepEqual([tunnel.ikeEstablished, tunnel.childEstablished], [true, true], JSON.stringify(tunnel));
    });

    await t.test('changing one tunnel renegotiates only that tunnel', async () => {
      const before = await gatewaySaIds(service);
      const ctr = TUNNELS[2];
      assert.ok(ctr);
      const put = await service.request('PUT', `/ipsecgateways/${gatewayId}/tunnels/${tunnelIds.get('ctr')}`, { properties: tunnelProperties(ctr, 7200) });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await settledGateway(service, 'ipsecgateways', gatewayId)).metadata.status, 'AVAILABLE');
      await eventually('the changed tunnel to carry traffic again', () => pingOnce(topology.remote, '10.2.3.1', '10.1.3.1'), 30_000);
      const after = await gatewaySaIds(service);
      for (const name of ['cbc', 'gcm']) assert.equal(after.get(`t-${tunnelIds.get(name)}`), before.get(`t-${tunnelIds.get(name)}`), `${name} kept its IKE_SA`);
      assert.notEqual(after.get(`t-${tunnelIds.get('ctr')}`), before.get(`t-${tunnelIds.get('ctr')}`), 'ctr was renegotiated');
    });

    await t.test('a killed charon is restarted and its tunnels come back', async () => {
      const { pid } = JSON.parse(readFileSync(join(service.dataDir, 'linux', 'ipsec', 'charon.json'), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGKILL');
      await allCarry();
    });

    await t.test('an impossible gatewayIP fails that gateway only', async () => {
      const bad = await service.request('POST', '/ipsecgateways', { properties: { name: 'bad', gatewayIP: '203.0.113.9', connections: CONNECTIONS } });
      const badGw = await settledGateway(service, 'ipsecgateways', bad.body.id);
      assert.equal(badGw.metadata.status, 'FAILED');
      assert.match(badGw.metadata.statusMessage, /203\.0\.113\.9 is not an address/);
      assert.ok(await pingOnce(topology.remote, '10.2.1.1', '10.1.1.1'));
      await service.request('DELETE', `/ipsecgateways/${bad.body.id}`);
    });

    await t.test('a second gateway with a tunnel between the same two addresses fails; the first keeps its tunnel', async () => {
      const twin = await service.request('POST', '/ipsecgateways', { properties: { name: 'twin', gatewayIP: '192.0.2.1', connections: CONNECTIONS } });
      const cbc = TUNNELS[0];
      assert.ok(cbc);
      const tunnel = await service.request('POST', `/ipsecgateways/${twin.body.id}/tunnels`, { properties: { ...tunnelProperties(cbc), name: 'twin' } });
      assert.equal(tunnel.status, 201, JSON.stringify(tunnel.body));
      const twinGw = await settledGateway(service, 'ipsecgateways', twin.body.id);
      assert.equal(twinGw.metadata.status, 'FAILED');
      assert.match(twinGw.metadata.statusMessage, /gatewayIP 192\.0\.2\.1 to remoteHost 192\.0\.2\.2/);
      assert.equal((await service.request('GET', `/ipsecgateways/${gatewayId}`)).body.metadata.status, 'AVAILABLE');
      await allCarry();
      assert.equal((await service.request('DELETE', `/ipsecgateways/${twin.body.id}`)).status, 202);
      await eventually('the failed twin to be deleted', async () => (await service.request('GET', `/ipsecgateways/${twin.body.id}`)).status === 404);
      await allCarry();
    });

    await t.test('deleting the gateway stops its charon and removes its tunnel device', async () => {
      const { pid } = JSON.parse(readFileSync(join(service.dataDir, 'linux', 'ipsec', 'charon.json'), 'utf8')) as { pid: number };
      assert.equal((await service.request('DELETE', `/ipsecgateways/${gatewayId}`)).status, 202);
      await eventually('charon to stop', async () => !isAlive(pid));
      await eventually('ipsec0 to disappear', async () => !(await sh('ip', ['-n', topology.gw, 'link'])).includes('ipsec0'));
      const left = filesUnder(join(service.dataDir, 'linux')).map((path) => readFileSync(path, 'utf8')).join('\n');
      for (const tunnel of TUNNELS) {
        const psk = `psk-for-${tunnel.name}-tunnel`;
        assert.ok(!left.includes(Buffer.from(psk).toString('base64')) && !left.includes(psk), `the ${tunnel.name} PSK stayed on disk`);
      }
    });
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}
