import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lanLegName } from '../../src/agent/linux/names.ts';
import { charonPid, expectNothingLeft, filesUnder, gatewayNs, interfaceAddresses } from './support/gateway-host.ts';
import { createIpsecSites, extraRemoteAddresses, gatewaySasRaw, IPSEC_LAN, ipsecConnections, pingThrough, tunnelProperties, type E2eTunnel } from './support/ipsec-tunnels.ts';
import { settledGateway, startService, type E2eService } from './support/service.ts';
import { eventually, isAlive, pingOnce, requireE2e, sh } from './support/system.ts';
import { createTopology } from './support/topology.ts';

// One CBC, one GCM and one CTR proposal, each with another DH group.
const TUNNELS: E2eTunnel[] = [
  { name: 'cbc', remote: '192.0.2.2', index: 1, security: { diffieHellmanGroup: '15-MODP3072', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', lifetime: 3600 } },
  { name: 'gcm', remote: '192.0.2.3', index: 2, security: { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA384', lifetime: 3600 } },
  { name: 'ctr', remote: '192.0.2.4', index: 3, security: { diffieHellmanGroup: '20-ECP384', encryptionAlgorithm: 'AES128-CTR', integrityAlgorithm: 'SHA512', lifetime: 3600 } },
];

/** IKE_SA unique ids per connection on the gateway's charon: a new id means the SA was renegotiated. */
async function gatewaySaIds(svc: E2eService, gatewayId: string): Promise<Map<string, string>> {
  const raw = await gatewaySasRaw(svc, gatewayId);
  const ids = new Map<string, string>();
  for (const match of raw.matchAll(/\{(t-[0-9a-f-]{36}) \{uniqueid=(\d+) version=2 state=ESTABLISHED/g)) ids.set(match[1] ?? '', match[2] ?? '');
  return ids;
}

test('IPSec tunnels become strongSwan connections that carry traffic, reload one at a time and survive a killed charon', { timeout: 300_000 }, async (t) => {
  if (!requireE2e(t)) return;
  const topology = await createTopology({ remoteAddresses: extraRemoteAddresses(TUNNELS) });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const service = svc;
    const { gatewayId, tunnelIds } = await createIpsecSites(topology, service, 'e2e', TUNNELS);
    const allCarry = async () => {
      for (const tunnel of TUNNELS) {
        await eventually(`ping through the ${tunnel.name} tunnel`, () => pingThrough(topology, tunnel), 30_000);
      }
    };

    await t.test('CBC, GCM and CTR tunnels with different DH groups carry packets to the LAN machine', allCarry);

    await t.test('the status extension shows IKE and CHILD SAs established per tunnel, and the gateway\'s LAN', async () => {
      const status = await service.request('GET', `/ipsecgateways/${gatewayId}/status`);
      assert.equal(status.status, 200);
      assert.equal(status.body.properties.tunnels.length, TUNNELS.length);
      for (const tunnel of status.body.properties.tunnels) assert.deepEqual([tunnel.ikeEstablished, tunnel.childEstablished], [true, true], JSON.stringify(tunnel));
      assert.deepEqual(status.body.properties.lans, [{
        datacenterId: IPSEC_LAN.datacenterId, lanId: IPSEC_LAN.lanId, interfaceName: lanLegName(gatewayId, IPSEC_LAN.datacenterId, IPSEC_LAN.lanId), present: true,
        addresses: ipsecConnections(TUNNELS).map((c) => c.ipv4CIDR).sort(),
      }]);
    });

    await t.test('the gateway\'s charon runs in the gateway\'s namespace and carries none of the service\'s settings in its environment', async () => {
      const pid = charonPid(service, gatewayId);
      assert.ok(pid, 'charon runs');
      assert.equal(await sh('ip', ['netns', 'identify', String(pid)]).then((s) => s.trim()), gatewayNs(gatewayId));
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      assert.deepEqual(environ.filter((v) => v.startsWith('VPNGW_')), [], 'no VPNGW_* (admin password, keys, database URL)');
    });

    await t.test('changing one tunnel renegotiates only that tunnel', async () => {
      const before = await gatewaySaIds(service, gatewayId);
      const ctr = TUNNELS[2];
      assert.ok(ctr);
      const put = await service.request('PUT', `/ipsecgateways/${gatewayId}/tunnels/${tunnelIds.get('ctr')}`, { properties: tunnelProperties(ctr, 7200) });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await settledGateway(service, 'ipsecgateways', gatewayId)).metadata.status, 'AVAILABLE');
      await eventually('the changed tunnel to carry traffic again', () => pingOnce(topology.remote, '10.2.3.1', '10.1.3.1'), 30_000);
      const after = await gatewaySaIds(service, gatewayId);
      for (const name of ['cbc', 'gcm']) assert.equal(after.get(`t-${tunnelIds.get(name)}`), before.get(`t-${tunnelIds.get(name)}`), `${name} kept its IKE_SA`);
      assert.notEqual(after.get(`t-${tunnelIds.get('ctr')}`), before.get(`t-${tunnelIds.get('ctr')}`), 'ctr was renegotiated');
    });

    await t.test('a killed charon is restarted and its tunnels come back', async () => {
      const pid = charonPid(service, gatewayId);
      assert.ok(pid, 'charon runs');
      process.kill(pid, 'SIGKILL');
      await eventually('a new charon', async () => (charonPid(service, gatewayId) ?? pid) !== pid);
      await allCarry();
    });

    await t.test('an impossible gatewayIP fails that gateway only', async () => {
      const bad = await service.request('POST', '/ipsecgateways', { properties: { name: 'bad', gatewayIP: '203.0.113.9', connections: [{ ...IPSEC_LAN, ipv4CIDR: '10.1.1.253/24' }] } });
      const badGw = await settledGateway(service, 'ipsecgateways', bad.body.id);
      assert.equal(badGw.metadata.status, 'FAILED');
      assert.match(badGw.metadata.statusMessage, /203\.0\.113\.9/);
      assert.ok(await pingOnce(topology.remote, '10.2.1.1', '10.1.1.1'));
      await service.request('DELETE', `/ipsecgateways/${bad.body.id}`);
    });

    await t.test('a second gateway on the gatewayIP the first holds fails; the first keeps its tunnels', async () => {
      const twin = await service.request('POST', '/ipsecgateways', { properties: { name: 'twin', gatewayIP: '192.0.2.1', connections: [{ ...IPSEC_LAN, ipv4CIDR: '10.1.1.253/24' }] } });
      const cbc = TUNNELS[0];
      assert.ok(cbc);
      const tunnel = await service.request('POST', `/ipsecgateways/${twin.body.id}/tunnels`, { properties: { ...tunnelProperties(cbc), name: 'twin' } });
      assert.equal(tunnel.status, 201, JSON.stringify(tunnel.body));
      const twinGw = await settledGateway(service, 'ipsecgateways', twin.body.id);
      assert.equal(twinGw.metadata.status, 'FAILED');
      assert.match(twinGw.metadata.statusMessage, /192\.0\.2\.1 .*already in use by another gateway/);
      assert.equal((await service.request('GET', `/ipsecgateways/${gatewayId}`)).body.metadata.status, 'AVAILABLE');
      await allCarry();
      assert.equal((await service.request('DELETE', `/ipsecgateways/${twin.body.id}`)).status, 202);
      await eventually('the failed twin to be deleted', async () => (await service.request('GET', `/ipsecgateways/${twin.body.id}`)).status === 404);
      await allCarry();
    });

    await t.test('deleting the gateway stops its charon, removes its namespace and files, and gives the gatewayIP back', async () => {
      const pid = charonPid(service, gatewayId);
      assert.ok(pid);
      assert.equal((await service.request('DELETE', `/ipsecgateways/${gatewayId}`)).status, 202);
      await eventually('charon to stop', async () => !isAlive(pid));
      await expectNothingLeft(service, topology, { id: gatewayId, kind: 'ipsec', connections: [IPSEC_LAN] });
      assert.ok((await interfaceAddresses(topology.host, topology.uplink)).includes('192.0.2.1/24'), '192.0.2.1 is back on the host interface');
      const files = filesUnder(join(service.dataDir, 'linux')).filter((path) => statSync(path).isFile());
      const left = files.map((path) => readFileSync(path, 'utf8')).join('\n');
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
