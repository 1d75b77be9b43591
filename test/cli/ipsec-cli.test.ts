import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startCliHarness, type CliHarness } from './support/cli-harness.ts';

const DC = '5a029f4a-72e5-11ec-90d6-0242ac120003';
const PSK = 'a shared secret of the two sites';
let h: CliHarness;
let gatewayId = '';
let tunnelId = '';

before(async () => {
  h = await startCliHarness();
  writeFileSync(join(h.dir, 'psk'), `${PSK}\n`, { mode: 0o600 });
});
after(async () => h?.stop());

test('ipsec gateway create (key=value connection) and tunnel create with the PSK from a file, --wait', async () => {
  const gw = await h.cli(['ipsec', 'gateway', 'create', '--name', 'dc', '--gateway-ip', '203.0.113.2',
    '--connection', `datacenterId=${DC},lanId=3,ipv4CIDR=203.0.113.200/24`, '--wait', '-o', 'json']);
  assert.equal(gw.status, 0, gw.stderr);
  gatewayId = gw.json().id;
  assert.equal(gw.json().properties.version, 'IKEv2');
  const tunnel = await h.cli(['ipsec', 'tunnel', 'create', gatewayId, '--name', 'branch', '--remote-host', '198.51.100.7',
    '--cloud-network-cidrs', '10.1.0.0/24', '--peer-network-cidrs', '10.2.0.0/24,10.3.0.0/24', '--psk-file', join(h.dir, 'psk'),
    '--ike-encryption', 'AES256-GCM-16', '--ike-dh-group', '19-ECP256', '--esp-lifetime', '7200', '--wait', '-o', 'json']);
  assert.equal(tunnel.status, 0, tunnel.stderr);
  const t = tunnel.json();
  tunnelId = t.id;
  assert.equal(t.metadata.status, 'AVAILABLE');
  assert.deepEqual(t.properties.peerNetworkCIDRs, ['10.2.0.0/24', '10.3.0.0/24']);
  assert.equal(t.properties.ike.encryptionAlgorithm, 'AES256-GCM-16');
  assert.equal(t.properties.esp.lifetime, 7200);
  assert.ok(!tunnel.stdout.includes(PSK), 'the PSK is never printed back');
});

test('tunnel list as a table, and update keeps the stored PSK', async () => {
  const list = await h.cli(['ipsec', 'tunnel', 'list', gatewayId]);
  assert.match(list.stdout, /^ID\s+NAME\s+REMOTE HOST\s+CLOUD NETWORKS\s+PEER NETWORKS\s+STATUS$/m);
  assert.match(list.stdout, new RegExp(`^${tunnelId}\\s+branch\\s+198\\.51\\.100\\.7\\s+10\\.1\\.0\\.0/24\\s+10\\.2\\.0\\.0/24,10\\.3\\.0\\.0/24\\s+AVAILABLE$`, 'm'));
  const updated = await h.cli(['ipsec', 'tunnel', 'update', gatewayId, tunnelId, '--description', 'via the CLI', '--wait', '-o', 'json']);
  assert.equal(updated.status, 0, updated.stderr);
  assert.equal(updated.json().properties.description, 'via the CLI');
  const rendered = readFileSync(join(h.dir, 'data', 'dataplane', 'ipsec', `${gatewayId}.swanctl.conf`), 'utf8');
  assert.ok(rendered.includes(`secret = 0s${Buffer.from(PSK).toString('base64')}`), 'the gateway still has the PSK');
});

test('tunnel config prints the remote site\'s swanctl.conf with the PSK from stdin', async () => {
  const config = await h.cli(['ipsec', 'tunnel', 'config', gatewayId, tunnelId, '--psk-file', '-'], { env: h.env, input: `${PSK}\n` });
  assert.equal(config.status, 0, config.stderr);
  assert.match(config.stdout, /remote_addrs = 203\.0\.113\.2/);
  assert.match(config.stdout, /local_ts = 10\.2\.0\.0\/24,10\.3\.0\.0\/24/);
  assert.match(config.stdout, /proposals = aes256gcm16-prfsha256-ecp256/);
  assert.ok(config.stdout.includes(`secret = 0s${Buffer.from(PSK).toString('base64')}`));
  const withoutPsk = await h.cli(['ipsec', 'tunnel', 'config', gatewayId, tunnelId]);
  assert.equal(withoutPsk.status, 2);
  assert.match(withoutPsk.stderr, /--psk-file/);
});

test('a full body from --from-file, and a 422 from the API shown with status 1', async () => {
  const body = { properties: { name: 'from-file', remoteHost: '198.51.100.8', auth: { method: 'PSK' }, ike: {}, esp: {},
    cloudNetworkCIDRs: ['10.1.0.0/24'], peerNetworkCIDRs: ['10.4.0.0/24'] } };
  writeFileSync(join(h.dir, 'tunnel.json'), JSON.stringify(body));
  const created = await h.cli(['ipsec', 'tunnel', 'create', gatewayId, '--from-file', join(h.dir, 'tunnel.json'), '--psk-file', join(h.dir, 'psk'), '-o', 'json']);
  assert.equal(created.status, 0, created.stderr);
  assert.equal(created.json().properties.remoteHost, '198.51.100.8');
  const otherDc = await h.cli(['ipsec', 'gateway', 'create', '--name', 'x', '--gateway-ip', '203.0.113.3',
    '--connection', `${DC},1,203.0.113.10/24`, '--connection', '6b029f4a-72e5-11ec-90d6-0242ac120003,2,203.0.113.11/24']);
  assert.equal(otherDc.status, 1);
  assert.match(otherDc.stderr, /422 /);
});

test('tunnel and gateway delete --wait', async () => {
  const tunnel = await h.cli(['ipsec', 'tunnel', 'delete', gatewayId, tunnelId, '--wait']);
  assert.equal(tunnel.status, 0, tunnel.stderr);
  const gateway = await h.cli(['ipsec', 'gateway', 'delete', gatewayId, '--wait']);
  assert.equal(gateway.status, 0, gateway.stderr);
  assert.match(gateway.stderr, /is deleted after/);
  const list = await h.cli(['ipsec', 'gateway', 'list', '-o', 'json']);
  assert.deepEqual(list.json().items, []);
});
