import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertIonosError, holdDataPlane, waitForStatus } from '../support/api-assertions.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { ipsecGateway, ipsecTunnel, PSK, wireguardGateway } from '../support/fixtures.ts';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';

const DEFAULT_IKE = { diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', lifetime: 86400 };
const DEFAULT_ESP = { ...DEFAULT_IKE, lifetime: 3600 };
const UNKNOWN_ID = '3f0c2b1a-0000-4000-8000-00000000beef';

describe('IPSec gateways and tunnels', () => {
  let svc: TestService;
  const driver = new FakeDriver();
  before(async () => { svc = await startTestService({ driver }); });
  after(async () => { await svc.stop(); });

  const newGateway = async () => {
    const res = await svc.request('POST', '/ipsecgateways', ipsecGateway());
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const newTunnel = async (g: string, overrides: Record<string, unknown> = {}) => {
    const res = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel(overrides));
    assert.equal(res.status, 201, res.text);
    return res.body;
  };
  /** The PSKs the data plane was last given for a gateway, by tunnel id. */
  const appliedPsks = (g: string) => {
    const desired = driver.applied.get(g);
    return new Map(desired?.kind === 'ipsec' ? desired.tunnels.map((t) => [t.id, t.psk]) : []);
  };

  describe('gateways', () => {
    test('POST creates with the defaults: version IKEv2, tier STANDARD, a complete maintenance window; no publicKey', async () => {
      const res = await svc.request('POST', '/ipsecgateways', ipsecGateway());
      assert.equal(res.status, 201, res.text);
      const g = res.body;
      assert.deepEqual(Object.keys(g).sort(), ['href', 'id', 'metadata', 'properties', 'type']);
      assert.equal(g.type, 'ipsecgateway');
      assert.equal(g.href, `http://vpn.test/ipsecgateways/${g.id}`);
      assert.equal(res.headers.location, g.href);
      assert.match(g.metadata.resourceURN, new RegExp(`^ionos:vpn:de-fra:\\d+:ipsecgateways/${g.id}$`));
      assert.equal(g.metadata.publicKey, undefined);
      assert.equal(g.properties.version, 'IKEv2');
      assert.equal(g.properties.tier, 'STANDARD');
      assert.match(g.properties.maintenanceWindow.time, /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/);
      assert.match(g.properties.maintenanceWindow.dayOfTheWeek, /^(Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day$/);
      assert.equal(g.properties.description, undefined);
      assert.deepEqual(g.properties.connections, ipsecGateway().properties.connections);
      const read = await svc.request('GET', `/ipsecgateways/${g.id}`);
      assert.deepEqual(read.body.properties, g.properties);
    });

    test('given values are kept; the SDK\'s unset values ("" and an empty window) get the defaults', async () => {
      const given = await svc.request('POST', '/ipsecgateways', ipsecGateway({
        description: 'site A', version: 'IKEv2', tier: 'ENHANCED_HA', maintenanceWindow: { time: '03:30:00', dayOfTheWeek: 'Saturday' },
      }));
      assert.equal(given.status, 201, given.text);
      assert.equal(given.body.properties.tier, 'ENHANCED_HA');
      assert.equal(given.body.properties.description, 'site A');
      assert.deepEqual(given.body.properties.maintenanceWindow, { time: '03:30:00', dayOfTheWeek: 'Saturday' });
      const sdk = await svc.request('POST', '/ipsecgateways', ipsecGateway({
        description: '', version: '', tier: '', maintenanceWindow: { time: '', dayOfTheWeek: '' },
      }));
      assert.equal(sdk.status, 201, sdk.text);
      assert.equal(sdk.body.properties.version, 'IKEv2');
      assert.equal(sdk.body.properties.tier, 'STANDARD');
      assert.equal(sdk.body.properties.description, undefined);
      assert.match(sdk.body.properties.maintenanceWindow.dayOfTheWeek, /day$/);
    });

    test('PUT replaces: left-out fields return to their defaults; PUT on a new id creates it', async () => {
      const created = await svc.request('POST', '/ipsecgateways', ipsecGateway({ description: 'x', tier: 'PREMIUM' }));
      const replaced = await svc.request('PUT', `/ipsecgateways/${created.body.id}`, ipsecGateway({ name: 'renamed' }));
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(replaced.body.properties.name, 'renamed');
      assert.equal(replaced.body.properties.tier, 'STANDARD');
      assert.equal(replaced.body.properties.description, undefined);
      assert.deepEqual(replaced.body.properties.maintenanceWindow, created.body.properties.maintenanceWindow,
        'an assigned window stays the same for the gateway');
      const id = '9d2f1a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b';
      const ensured = await svc.request('PUT', `/ipsecgateways/${id}`, { id, ...ipsecGateway() });
      assert.equal(ensured.status, 200, ensured.text);
      assert.equal(ensured.body.id, id);
      assert.equal((await svc.request('GET', `/ipsecgateways/${id}`)).status, 200);
    });

    test('an IPSec gateway is not a WireGuard gateway: each kind is 404 under the other\'s path', async () => {
      const ipsec = await newGateway();
      const wg = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
      assertIonosError(await svc.request('GET', `/wireguardgateways/${ipsec}`), 404);
      assertIonosError(await svc.request('GET', `/ipsecgateways/${wg}`), 404);
      assertIonosError(await svc.request('DELETE', `/ipsecgateways/${wg}`), 404);
      const ids = (await svc.request('GET', '/ipsecgateways?limit=1000')).body.items.map((i: { id: string }) => i.id);
      assert.ok(ids.includes(ipsec) && !ids.includes(wg));
    });
  });

  describe('tunnels', () => {
    test('POST creates a tunnel: 201, Location, envelope, IKE/ESP defaults for ike: {} and esp: {}, auth without the PSK', async () => {
      const g = await newGateway();
      const res = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel({ description: 'to site B', remoteHost: '203.0.113.1', peerNetworkCIDRs: ['10.0.1.0/24'] }));
      assert.equal(res.status, 201, res.text);
      const t = res.body;
      assert.deepEqual(Object.keys(t).sort(), ['href', 'id', 'metadata', 'properties', 'type']);
      assert.equal(t.type, 'ipsectunnel');
      assert.equal(t.href, `http://vpn.test/ipsecgateways/${g}/tunnels/${t.id}`);
      assert.equal(res.headers.location, t.href);
      assert.deepEqual(t.properties, {
        name: 'site-b', description: 'to site B', remoteHost: '203.0.113.1', auth: { method: 'PSK' },
        ike: DEFAULT_IKE, esp: DEFAULT_ESP, cloudNetworkCIDRs: ['10.0.0.0/24'], peerNetworkCIDRs: ['10.0.1.0/24'],
      });
      const read = await svc.request('GET', `/ipsecgateways/${g}/tunnels/${t.id}`);
      assert.deepEqual(read.body.properties, t.properties);
    });

    test('partial IKE/ESP settings are completed with the defaults; an FQDN remote host is accepted', async () => {
      const g = await newGateway();
      const t = await newTunnel(g, {
        remoteHost: 'vpn.branch.example.com',
        ike: { diffieHellmanGroup: '19-ECP256', lifetime: 28800 },
        esp: { encryptionAlgorithm: 'AES256-GCM-16' },
      });
      assert.equal(t.properties.remoteHost, 'vpn.branch.example.com');
      assert.deepEqual(t.properties.ike, { ...DEFAULT_IKE, diffieHellmanGroup: '19-ECP256', lifetime: 28800 });
      assert.deepEqual(t.properties.esp, { ...DEFAULT_ESP, encryptionAlgorithm: 'AES256-GCM-16' });
    });

    test('auth.method "" (SDK unset) or left out means PSK', async () => {
      const g = await newGateway();
      const empty = await newTunnel(g, { auth: { method: '', psk: { key: PSK } } });
      assert.deepEqual(empty.properties.auth, { method: 'PSK' });
      const absent = await newTunnel(g, { auth: { psk: { key: PSK } } });
      assert.deepEqual(absent.properties.auth, { method: 'PSK' });
    });

    test('the product docs\' variants are accepted and answered in the canonical form', async () => {
      const g = await newGateway();
      const docs = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, {
        properties: {
          name: 'docs', remoteHost: '203.0.113.5', cloudNetworkCIDRs: ['10.0.0.0/24'], peerNetworkCIDRs: ['10.0.5.0/24'],
          auth: {
            method: 'PSK',
            psk: { secret: 'docs-style-secret' },
            ike: { encryption: 'AES-256', hash: 'SHA256' },
            esp: { encryption: 'AES-128', auth: 'SHA512' },
          },
        },
      });
      assert.equal(docs.status, 201, docs.text);
      assert.deepEqual(docs.body.properties.auth, { method: 'PSK' });
      assert.deepEqual(docs.body.properties.ike, { ...DEFAULT_IKE, encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256' });
      assert.deepEqual(docs.body.properties.esp, { ...DEFAULT_ESP, encryptionAlgorithm: 'AES128', integrityAlgorithm: 'SHA512' });
      assert.ok(!docs.text.includes('docs-style-secret'));
      const top = await newTunnel(g, { ike: { encryption: 'AES-128', hash: 'SHA384' }, esp: { encryption: 'AES-256', auth: 'SHA256' } });
      assert.equal(top.properties.ike.encryptionAlgorithm, 'AES128');
      assert.equal(top.properties.ike.integrityAlgorithm, 'SHA384');
      assert.equal(top.properties.esp.encryptionAlgorithm, 'AES256');
      await eventually(async () => appliedPsks(g).get(docs.body.id) === 'docs-style-secret', 5000, 'psk.secret to reach the data plane');
    });

    test('the PSK is never returned: not by POST, GET, the list or PUT', async () => {
      const g = await newGateway();
      const post = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel());
      const id = post.body.id;
      const put = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${id}`, ipsecTunnel({ name: 'renamed' }));
      const get = await svc.request('GET', `/ipsecgateways/${g}/tunnels/${id}`);
      const list = await svc.request('GET', `/ipsecgateways/${g}/tunnels`);
      for (const [label, res] of [['POST', post], ['PUT', put], ['GET', get], ['list', list]] as const) {
        assert.ok(res.status < 300, `${label}: ${res.text}`);
        assert.ok(!res.text.includes(PSK), `${label} leaks the PSK`);
        assert.ok(!/"psk"|"secret"|"key"/.test(res.text), `${label} has a PSK field: ${res.text}`);
      }
      assert.deepEqual(list.body.items[0].properties.auth, { method: 'PSK' });
    });

    test('PUT replacing without a PSK keeps the stored one (as the data plane shows); a new PSK replaces it', async () => {
      const g = await newGateway();
      const t = await newTunnel(g);
      await eventually(async () => appliedPsks(g).get(t.id) === PSK, 5000, 'the PSK to reach the data plane');

      const withoutPsk = { ...ipsecTunnel({ name: 'renamed' }).properties, auth: { method: 'PSK' } };
      const kept = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${t.id}`, { properties: withoutPsk });
      assert.equal(kept.status, 200, kept.text);
      assert.equal(kept.body.properties.name, 'renamed');
      const emptyKey = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${t.id}`, {
        id: '', properties: { ...withoutPsk, auth: { method: '', psk: { key: '' } } },
      });
      assert.equal(emptyKey.status, 200, emptyKey.text);
      await waitForStatus(svc, `/ipsecgateways/${g}`, 'AVAILABLE');
      assert.equal(appliedPsks(g).get(t.id), PSK, 'the stored PSK is still the one applied');

      const rotated = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${t.id}`, ipsecTunnel({ auth: { psk: { key: 'a-rotated-psk' } } }));
      assert.equal(rotated.status, 200, rotated.text);
      await eventually(async () => appliedPsks(g).get(t.id) === 'a-rotated-psk', 5000, 'the new PSK to reach the data plane');
    });

    test('PUT creating a tunnel without a PSK is 400 and creates nothing', async () => {
      const g = await newGateway();
      const res = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${UNKNOWN_ID}`, {
        properties: { ...ipsecTunnel().properties, auth: { method: 'PSK' } },
      });
      assertIonosError(res, 400, /properties\.auth\.psk\.key/);
      assertIonosError(await svc.request('GET', `/ipsecgateways/${g}/tunnels/${UNKNOWN_ID}`), 404);
      const created = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${UNKNOWN_ID}`, ipsecTunnel());
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.id, UNKNOWN_ID);
    });

    test('at most 20 tunnels: the 21st is 422', async () => {
      const g = await newGateway();
      for (let n = 0; n < 20; n++) await newTunnel(g, { name: `tunnel-${n}`, peerNetworkCIDRs: [`10.1.${n}.0/24`] });
      assertIonosError(await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel()), 422, /20/, 'LIMIT_EXCEEDED');
      assertIonosError(await svc.request('PUT', `/ipsecgateways/${g}/tunnels/7e1d0c2b-5a4f-4e3d-9c2b-1a0f9e8d7c6b`, ipsecTunnel()), 422, /20/);
      assert.equal((await svc.request('GET', `/ipsecgateways/${g}/tunnels`)).body.items.length, 20);
    });

    test('a remoteHost already used by a tunnel of the gateway is 409 (any letter case); other gateways and the tunnel itself are fine', async () => {
      const g = await newGateway();
      const first = await newTunnel(g, { remoteHost: 'vpn.branch.example.com' });
      const again = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel({ remoteHost: 'VPN.Branch.example.com', peerNetworkCIDRs: ['10.9.0.0/24'] }));
      assertIonosError(again, 409, /properties\.remoteHost/, 'DUPLICATE_REMOTE_HOST');
      const second = await newTunnel(g);
      const clash = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${second.id}`, ipsecTunnel({ remoteHost: 'vpn.branch.example.com' }));
      assertIonosError(clash, 409, /properties\.remoteHost/);
      assert.equal((await svc.request('GET', `/ipsecgateways/${g}/tunnels/${second.id}`)).body.properties.remoteHost, second.properties.remoteHost, 'a refused PUT changes nothing');
      const self = await svc.request('PUT', `/ipsecgateways/${g}/tunnels/${first.id}`, ipsecTunnel({ remoteHost: 'vpn.branch.example.com', name: 'renamed' }));
      assert.equal(self.status, 200, self.text);
      const elsewhere = await svc.request('POST', `/ipsecgateways/${await newGateway()}/tunnels`, ipsecTunnel({ remoteHost: 'vpn.branch.example.com' }));
      assert.equal(elsewhere.status, 201, elsewhere.text);
      assert.equal((await svc.request('GET', `/ipsecgateways/${g}/tunnels`)).body.items.length, 2);
    });

    test('DELETE answers 202 and the tunnel is gone from GET and the list at once; the gateway re-applies without it', async () => {
      const g = await newGateway();
      const keep = await newTunnel(g, { name: 'keep' });
      const gone = await newTunnel(g, { name: 'gone' });
      await waitForStatus(svc, `/ipsecgateways/${g}`, 'AVAILABLE');
      assert.equal(appliedPsks(g).size, 2);
      const release = holdDataPlane(driver);
      try {
        const res = await svc.request('DELETE', `/ipsecgateways/${g}/tunnels/${gone.id}`);
        assert.equal(res.status, 202);
        assert.equal(res.text, '');
        assertIonosError(await svc.request('GET', `/ipsecgateways/${g}/tunnels/${gone.id}`), 404);
        const list = await svc.request('GET', `/ipsecgateways/${g}/tunnels`);
        assert.deepEqual(list.body.items.map((i: { id: string }) => i.id), [keep.id]);
        assert.equal((await svc.request('GET', `/ipsecgateways/${g}`)).body.metadata.status, 'PROVISIONING');
      } finally {
        release();
      }
      await waitForStatus(svc, `/ipsecgateways/${g}`, 'AVAILABLE');
      assert.deepEqual([...appliedPsks(g).keys()], [keep.id]);
      assertIonosError(await svc.request('DELETE', `/ipsecgateways/${g}/tunnels/${gone.id}`), 404);
    });

    test('tunnels of an unknown gateway, or through another gateway\'s id, are 404', async () => {
      const base = `/ipsecgateways/${UNKNOWN_ID}/tunnels`;
      assertIonosError(await svc.request('GET', base), 404);
      assertIonosError(await svc.request('POST', base, ipsecTunnel()), 404);
      assertIonosError(await svc.request('GET', `${base}/${UNKNOWN_ID}`), 404);
      assertIonosError(await svc.request('PUT', `${base}/${UNKNOWN_ID}`, ipsecTunnel()), 404);
      assertIonosError(await svc.request('DELETE', `${base}/${UNKNOWN_ID}`), 404);
      const owner = await newGateway();
      const stranger = await newGateway();
      const t = await newTunnel(owner);
      assertIonosError(await svc.request('GET', `/ipsecgateways/${stranger}/tunnels/${t.id}`), 404);
      assertIonosError(await svc.request('DELETE', `/ipsecgateways/${stranger}/tunnels/${t.id}`), 404);
      assert.equal((await svc.request('GET', `/ipsecgateways/${owner}/tunnels/${t.id}`)).status, 200);
      const wg = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
      assertIonosError(await svc.request('GET', `/ipsecgateways/${wg}/tunnels`), 404);
    });
  });
});
