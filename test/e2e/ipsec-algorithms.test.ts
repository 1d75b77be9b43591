import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIpsecSites, extraRemoteAddresses, gatewaySasRaw, pingThrough, type E2eTunnel } from './support/ipsec-tunnels.ts';
import { startService, type E2eService } from './support/service.ts';
import { eventually, requireE2e } from './support/system.ts';
import { createTopology } from './support/topology.ts';

/**
 * With ipsec-dataplane.test.ts (CBC/MODP3072, GCM-16/ECP256, CTR/ECP384), every encryption
 * algorithm, integrity algorithm and DH group the API accepts carries packets end to end. Each
 * tunnel names what strongSwan must report for its SAs (an independent spelling of the mapping).
 */
const TUNNELS: Array<E2eTunnel & { negotiated: { encr: string; keysize: number; dh: string; integ?: string } }> = [
  { name: 'ccm128', remote: '192.0.2.2', index: 1, security: { diffieHellmanGroup: '28-ECP256BP', encryptionAlgorithm: 'AES128-CCM-12', integrityAlgorithm: 'SHA256', lifetime: 3600 }, negotiated: { encr: 'AES_CCM_12', keysize: 128, dh: 'ECP_256_BP' } },
  { name: 'ccm256', remote: '192.0.2.3', index: 2, security: { diffieHellmanGroup: '29-ECP384BP', encryptionAlgorithm: 'AES256-CCM-12', integrityAlgorithm: 'SHA384', lifetime: 3600 }, negotiated: { encr: 'AES_CCM_12', keysize: 256, dh: 'ECP_384_BP' } },
  { name: 'gcm12', remote: '192.0.2.4', index: 3, security: { diffieHellmanGroup: '30-ECP512BP', encryptionAlgorithm: 'AES256-GCM-12', integrityAlgorithm: 'SHA512', lifetime: 3600 }, negotiated: { encr: 'AES_GCM_12', keysize: 256, dh: 'ECP_512_BP' } },
  { name: 'gcm12s', remote: '192.0.2.5', index: 4, security: { diffieHellmanGroup: '21-ECP521', encryptionAlgorithm: 'AES128-GCM-12', integrityAlgorithm: 'SHA256', lifetime: 3600 }, negotiated: { encr: 'AES_GCM_12', keysize: 128, dh: 'ECP_521' } },
  { name: 'gcm16s', remote: '192.0.2.6', index: 5, security: { diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES128-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 }, negotiated: { encr: 'AES_GCM_16', keysize: 128, dh: 'MODP_4096' } },
  { name: 'xcbc', remote: '192.0.2.7', index: 6, security: { diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES128', integrityAlgorithm: 'AES-XCBC', lifetime: 3600 }, negotiated: { encr: 'AES_CBC', keysize: 128, dh: 'MODP_4096', integ: 'AES_XCBC_96' } },
  { name: 'ctr256', remote: '192.0.2.8', index: 7, security: { diffieHellmanGroup: '21-ECP521', encryptionAlgorithm: 'AES256-CTR', integrityAlgorithm: 'AES-XCBC', lifetime: 3600 }, negotiated: { encr: 'AES_CTR', keysize: 256, dh: 'ECP_521', integ: 'AES_XCBC_96' } },
];

test('CCM, GCM-12, brainpool and ECP521 groups, MODP4096 and AES-XCBC tunnels carry packets to a LAN machine', { timeout: 240_000 }, async (t) => {
  if (!requireE2e(t)) return;
  const topology = await createTopology({ remoteAddresses: extraRemoteAddresses(TUNNELS) });
  let svc: E2eService | undefined;
  try {
    svc = await startService(topology);
    const service = svc;
    const { gatewayId, tunnelIds } = await createIpsecSites(topology, service, 'algorithms', TUNNELS);
    assert.equal(tunnelIds.size, TUNNELS.length, 'every tunnel was created');
    for (const tunnel of TUNNELS) {
      await t.test(`${tunnel.name}: ${tunnel.security.encryptionAlgorithm} / ${tunnel.security.integrityAlgorithm} / ${tunnel.security.diffieHellmanGroup}`, async () => {
        await eventually(`ping through the ${tunnel.name} tunnel`, () => pingThrough(topology, tunnel), 30_000);
        const sa = (await gatewaySasRaw(service, gatewayId)).split('\n').find((line) => line.includes(`{t-${tunnelIds.get(tunnel.name)} {`)) ?? '';
        const [ike = '', child = ''] = sa.split('child-sas');
        const { encr, keysize, dh, integ } = tunnel.negotiated;
        for (const part of [ike, child]) assert.match(part, new RegExp(`encr-alg=${encr} encr-keysize=${keysize}\\b`), sa);
        assert.match(ike, new RegExp(`dh-group=${dh}\\b`), sa);
        if (integ) assert.match(child, new RegExp(`integ-alg=${integ}\\b`), sa);
      });
    }
    const status = await service.request('GET', `/ipsecgateways/${gatewayId}/status`);
    assert.equal(status.status, 200);
    // An empty or short list would pass the loop below.
    assert.equal(status.body.properties.tunnels.length, TUNNELS.length);
    for (const tunnel of status.body.properties.tunnels) assert.deepEqual([tunnel.ikeEstablished, tunnel.childEstablished], [true, true], JSON.stringify(tunnel));
  } finally {
    await svc?.cleanup();
    await topology.cleanup();
  }
});
