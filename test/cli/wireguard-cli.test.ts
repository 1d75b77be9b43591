import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { wireguardPublicKey } from '../../src/domain/wireguard-keys.ts';
import { startCliHarness, type CliHarness } from './support/cli-harness.ts';

const DC = '5a029f4a-72e5-11ec-90d6-0242ac120003';
let h: CliHarness;
let gatewayId = '';
let peerId = '';

before(async () => {
  h = await startCliHarness();
});
after(async () => h?.stop());

test('keygen writes the private key to a 0600 file and prints only the public key', async () => {
  const keyFile = join(h.dir, 'peer.key');
  const result = await h.cli(['wireguard', 'keygen', '--private-key-file', keyFile]);
  assert.equal(result.status, 0, result.stderr);
  const privateKey = readFileSync(keyFile, 'utf8').trim();
  assert.equal(result.stdout.trim(), wireguardPublicKey(privateKey));
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const both = await h.cli(['wireguard', 'keygen', '-o', 'json']);
  assert.equal(wireguardPublicKey(both.json().privateKey), both.json().publicKey);
});

test('gateway create --wait blocks until AVAILABLE, with progress on stderr and the private key never echoed', async () => {
  const gwKey = (await h.cli(['wireguard', 'keygen', '-o', 'json'])).json();
  writeFileSync(join(h.dir, 'gw.key'), `${gwKey.privateKey}\n`, { mode: 0o600 });
  const result = await h.cli(['wireguard', 'gateway', 'create', '--name', 'office', '--gateway-ip', '203.0.113.1', '--interface-ipv4-cidr', '10.7.0.1/24',
    '--listen-port', '51830', '--connection', `${DC},2,203.0.113.100/24`, '--private-key-file', join(h.dir, 'gw.key'), '--wait', '--output', 'json']);
  assert.equal(result.status, 0, result.stderr);
  const gateway = result.json();
  assert.equal(gateway.metadata.status, 'AVAILABLE');
  assert.equal(gateway.metadata.publicKey, gwKey.publicKey);
  assert.equal(gateway.properties.listenPort, 51830);
  assert.deepEqual(gateway.properties.connections, [{ datacenterId: DC, lanId: '2', ipv4CIDR: '203.0.113.100/24' }]);
  assert.match(result.stderr, /is AVAILABLE after/);
  assert.ok(!result.stdout.includes(gwKey.privateKey) && !result.stderr.includes(gwKey.privateKey));
  gatewayId = gateway.id;
});

test('gateway list and get print human tables by default', async () => {
  const list = await h.cli(['wireguard', 'gateway', 'list']);
  assert.equal(list.status, 0, list.stderr);
  const [header, row] = list.stdout.split('\n');
  assert.match(header ?? '', /^ID\s+NAME\s+GATEWAY IP\s+PORT\s+INTERFACE\s+STATUS\s+PUBLIC KEY\s+MESSAGE$/);
  assert.match(row ?? '', new RegExp(`^${gatewayId}\\s+office\\s+203\\.0\\.113\\.1\\s+51830\\s+10\\.7\\.0\\.1/24\\s+AVAILABLE`));
  const get = await h.cli(['wireguard', 'gateway', 'get', gatewayId]);
  assert.match(get.stdout, /^properties\.gatewayIP\s+203\.0\.113\.1$/m);
});

test('gateway update changes only the given properties and keeps the private key', async () => {
  const result = await h.cli(['wireguard', 'gateway', 'update', gatewayId, '--name', 'office-2', '--wait', '-o', 'json']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.json().properties.name, 'office-2');
  assert.equal(result.json().properties.listenPort, 51830);
  assert.equal(result.json().metadata.publicKey, wireguardPublicKey(readFileSync(join(h.dir, 'gw.key'), 'utf8').trim()));
});

test('peer create from a public key file, then config prints a wg-quick file for the remote side', async () => {
  const publicKey = (await h.cli(['wireguard', 'keygen', '--private-key-file', join(h.dir, 'laptop.key')])).stdout.trim();
  writeFileSync(join(h.dir, 'laptop.pub'), `${publicKey}\n`);
  const created = await h.cli(['wireguard', 'peer', 'create', gatewayId, '--name', 'laptop', '--allowed-ips', '10.7.0.2/32',
    '--public-key-file', join(h.dir, 'laptop.pub'), '--wait', '-o', 'json']);
  assert.equal(created.status, 0, created.stderr);
  assert.equal(created.json().metadata.status, 'AVAILABLE');
  peerId = created.json().id;
  const config = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId, '--private-key-file', '-'], { env: h.env, input: readFileSync(join(h.dir, 'laptop.key'), 'utf8') });
  assert.equal(config.status, 0, config.stderr);
  assert.match(config.stdout, /^Address = 10\.7\.0\.2\/32$/m);
  assert.match(config.stdout, /^Endpoint = 203\.0\.113\.1:51830$/m);
  assert.match(config.stdout, /^AllowedIPs = 10\.7\.0\.0\/24, 203\.0\.113\.0\/24$/m);
  const qr = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId, '--private-key-file', join(h.dir, 'laptop.key'), '--qr']);
  assert.equal(qr.status, 0, qr.stderr);
  assert.match(qr.stdout, /[▀▄█]/, 'a QR code drawn with block characters');
  assert.doesNotMatch(qr.stdout, /PrivateKey/);
});

test('peer config with a key that is not the peer\'s fails, and so does a missing --private-key-file', async () => {
  const wrong = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId, '--private-key-file', join(h.dir, 'gw.key')]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /does not belong to peer/);
  assert.equal(wrong.stdout, '');
  const missing = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--private-key-file/);
});

test('peer list, delete --wait (the gateway re-applied), then gateway delete --wait until gone', async () => {
  const list = await h.cli(['wireguard', 'peer', 'list', gatewayId, '-o', 'json']);
  assert.deepEqual(list.json().items.map((p: { id: string }) => p.id), [peerId]);
  const peerGone = await h.cli(['wireguard', 'peer', 'delete', gatewayId, peerId, '--wait']);
  assert.equal(peerGone.status, 0, peerGone.stderr);
  assert.match(peerGone.stdout, /deleted/);
  const gone = await h.cli(['wireguard', 'gateway', 'delete', gatewayId, '--wait', '-o', 'json']);
  assert.equal(gone.status, 0, gone.stderr);
  assert.deepEqual(gone.json(), { id: gatewayId, deleted: true });
  const get = await h.cli(['wireguard', 'gateway', 'get', gatewayId]);
  assert.equal(get.status, 1);
  assert.match(get.stderr, /404 NOT_FOUND: .*not found/);
});

test('errors: the API\'s validation message and status 1; usage mistakes status 2', async () => {
  const invalid = await h.cli(['wireguard', 'gateway', 'create', '--name', 'x', '--gateway-ip', 'not-an-ip', '--interface-ipv4-cidr', '10.0.0.1/24', '--connection', `${DC},1,203.0.113.5/24`]);
  assert.equal(invalid.status, 1);
  assert.match(invalid.stderr, /400 VALIDATION_FAILED: .*gatewayIP/);
  const unknownOption = await h.cli(['wireguard', 'gateway', 'list', '--bogus']);
  assert.equal(unknownOption.status, 2);
  const badOutput = await h.cli(['wireguard', 'gateway', 'list', '-o', 'yaml']);
  assert.equal(badOutput.status, 2);
  assert.match(badOutput.stderr, /--output must be/);
});
