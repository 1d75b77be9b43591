import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GatewayLiveState, GatewayRef, LiveStateSource } from '../../src/agent/driver.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { DATACENTER_ID, ipsecGateway, ipsecTunnel, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestService, type TestService } from '../support/test-service.ts';
import { runCli, startCliHarness, type CliHarness } from './support/cli-harness.ts';

const HANDSHAKE = '2024-05-01T12:00:00.000Z';

/** A data plane that reports live sessions, as the linux driver does, without touching the host. */
class LiveFakeDriver extends FakeDriver implements LiveStateSource {
  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    const lans = [{ datacenterId: 'dc', lanId: '2', interfaceName: 'vl0123456789ab', present: true, addresses: ['192.168.1.100/24'] }];
    const desired = this.applied.get(ref.id);
    if (desired?.kind === 'wireguard') {
      const peers = desired.peers.map((p) => ({ publicKey: p.publicKey, endpoint: '198.51.100.7:51820', latestHandshake: HANDSHAKE, transferRxBytes: 1234, transferTxBytes: 5678 }));
      return { kind: 'wireguard', namespace: 'vgw-x', interfaceName: 'vg0123456789abc', present: true, listenPort: 51820, lans, peers };
    }
    const tunnels = desired?.kind === 'ipsec' ? desired.tunnels.map((t) => ({ tunnelId: t.id, ikeState: 'ESTABLISHED', ikeEstablished: true, childEstablished: true, bytesIn: 42, bytesOut: 43 })) : [];
    return { kind: 'ipsec', namespace: 'vgw-y', charonRunning: true, lans, tunnels };
  }
}

describe('gateway status, the MESSAGE column and --allowed-ips auto (a server with a live data plane)', () => {
  let svc: TestService;
  const driver = new LiveFakeDriver();
  let env: Record<string, string> = {};
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    svc = await startTestService({ driver });
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    env = { PATH: process.env.PATH ?? '', HOME: svc.dataDir, VPNGW_API_URL: url, IONOS_USERNAME: ADMIN_EMAIL, IONOS_PASSWORD: ADMIN_PASSWORD };
  });
  after(async () => { await svc.stop(); });

  test('wireguard gateway status shows each peer\'s session and the LAN legs, as a table and as JSON', async () => {
    const gateway = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body;
    const peer = (await svc.request('POST', `/wireguardgateways/${gateway.id}/peers`, wireguardPeer())).body;
    await eventually(async () => driver.applied.get(gateway.id)?.kind === 'wireguard' && (driver.applied.get(gateway.id) as { peers: unknown[] }).peers.length === 1);
    const table = await cli('wireguard', 'gateway', 'status', gateway.id);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^interface\s+vg0123456789abc$/m);
    assert.match(table.stdout, /^PEER ID\s+CONFIGURED\s+ENDPOINT\s+LATEST HANDSHAKE\s+RX BYTES\s+TX BYTES$/m);
    assert.match(table.stdout, new RegExp(`^${peer.id}\\s+yes\\s+198\\.51\\.100\\.7:51820\\s+${HANDSHAKE.replace(/\./g, '\\.')}\\s+1234\\s+5678$`, 'm'));
    assert.match(table.stdout, /^dc\s+2\s+vl0123456789ab\s+yes\s+192\.168\.1\.100\/24$/m);
    const json = await cli('wireguard', 'gateway', 'status', gateway.id, '-o', 'json');
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(json.json().properties.peers.map((p: { id: string; transferRxBytes: number }) => [p.id, p.transferRxBytes]), [[peer.id, 1234]]);
  });

  test('ipsec gateway status shows each tunnel\'s IKE and CHILD SA', async () => {
    const gateway = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body;
    const tunnel = (await svc.request('POST', `/ipsecgateways/${gateway.id}/tunnels`, ipsecTunnel())).body;
    await eventually(async () => (driver.applied.get(gateway.id) as { tunnels?: unknown[] } | undefined)?.tunnels?.length === 1);
    const table = await cli('ipsec', 'gateway', 'status', gateway.id);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^charonRunning\s+yes$/m);
    assert.match(table.stdout, new RegExp(`^${tunnel.id}\\s+ESTABLISHED\\s+yes\\s+yes\\s+42\\s+43$`, 'm'));
  });

  test('gateway lists have a MESSAGE column with a failed gateway\'s status message', async () => {
    const gateway = (await svc.request('POST', '/ipsecgateways', ipsecGateway({ name: 'broken' }))).body;
    driver.failures.set(gateway.id, 'the uplink interface is missing');
    await svc.request('PUT', `/ipsecgateways/${gateway.id}`, { id: gateway.id, ...ipsecGateway({ name: 'broken' }) });
    await eventually(async () => (await svc.request('GET', `/ipsecgateways/${gateway.id}`)).body.metadata.status === 'FAILED');
    const list = await cli('ipsec', 'gateway', 'list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+NAME\s+GATEWAY IP\s+VERSION\s+STATUS\s+MESSAGE$/m);
    assert.match(list.stdout, new RegExp(`^${gateway.id}\\s+broken\\s+.*FAILED\\s+the uplink interface is missing$`, 'm'));
    const wg = await cli('wireguard', 'gateway', 'list');
    assert.match(wg.stdout.split('\n')[0] ?? '', /\sMESSAGE$/);
  });

  test('--allowed-ips auto takes the next free /32 and /128 of the gateway\'s interface networks', async () => {
    const gateway = (await svc.request('POST', '/wireguardgateways', wireguardGateway({ interfaceIPv4CIDR: '10.7.0.1/24', interfaceIPv6CIDR: 'fd00:7::1/64' }))).body;
    const create = (n: number, allowed: string) =>
      cli('wireguard', 'peer', 'create', gateway.id, '--public-key', generateWireguardKeyPair().publicKey, '--name', `p${n}`, '--allowed-ips', allowed, '-o', 'json');
    const explicit = await create(1, '10.7.0.2/32');
    assert.equal(explicit.status, 0, explicit.stderr);
    const first = await create(2, 'auto');
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(first.json().properties.allowedIPs, ['10.7.0.3/32', 'fd00:7::2/128'], 'neither the gateway\'s own address nor a used one');
    const second = await create(3, 'auto,192.168.50.0/24');
    assert.deepEqual(second.json().properties.allowedIPs, ['10.7.0.4/32', 'fd00:7::3/128', '192.168.50.0/24']);
    // On update the peer's own addresses count as free: it keeps the lowest free one.
    const updated = await cli('wireguard', 'peer', 'update', gateway.id, first.json().id, '--allowed-ips', 'auto', '-o', 'json');
    assert.deepEqual(updated.json().properties.allowedIPs, ['10.7.0.3/32', 'fd00:7::2/128']);

    const bare = (await svc.request('POST', '/wireguardgateways', wireguardGateway({ interfaceIPv4CIDR: '10.8.0.1/30', gatewayIP: '192.0.2.11' }))).body;
    const only = await cli('wireguard', 'peer', 'create', bare.id, '--name', 'p', '--public-key', generateWireguardKeyPair().publicKey, '--allowed-ips', 'auto');
    assert.equal(only.status, 0, `${JSON.stringify(bare)} ${only.stderr}`);
    const full = await cli('wireguard', 'peer', 'create', bare.id, '--name', 'p', '--public-key', generateWireguardKeyPair().publicKey, '--allowed-ips', 'auto');
    assert.equal(full.status, 1);
    assert.equal(full.stderr, 'vpngw wireguard peer create: error: --allowed-ips auto: no free address is left in 10.8.0.1/30\n');
  });
});

describe('peer config --out and --dns, and gateway status with the files driver', () => {
  let h: CliHarness;
  let gatewayId = '';
  let peerId = '';
  let dir = '';
  before(async () => {
    h = await startCliHarness();
    dir = mkdtempSync(join(tmpdir(), 'vpngw-peer-config-'));
    const created = await h.cli(['wireguard', 'gateway', 'create', '--name', 'office', '--gateway-ip', '203.0.113.1', '--interface-ipv4-cidr', '10.7.0.1/24',
      '--connection', `${DATACENTER_ID},2,192.168.1.100/24`, '-o', 'json']);
    gatewayId = created.json().id;
    const keys = await h.cli(['wireguard', 'keygen', '--private-key-file', join(dir, 'laptop.key')]);
    const peer = await h.cli(['wireguard', 'peer', 'create', gatewayId, '--name', 'laptop', '--public-key', keys.stdout.trim(), '--allowed-ips', '10.7.0.2/32', '-o', 'json']);
    peerId = peer.json().id;
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--out FILE writes the configuration with mode 0600 instead of printing it; --dns adds the DNS line', async () => {
    const key = join(dir, 'laptop.key');
    const printed = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId, '--private-key-file', key, '--dns', '10.7.0.1', '--dns', '2001:db8::53']);
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /^Address = 10\.7\.0\.2\/32\nDNS = 10\.7\.0\.1, 2001:db8::53$/m);
    const file = join(dir, 'laptop.conf');
    writeFileSync(file, 'an older file, readable by all\n', { mode: 0o644 });
    const written = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId, '--private-key-file', key, '--dns', '10.7.0.1,2001:db8::53', '--out', file]);
    assert.equal(written.status, 0, written.stderr);
    assert.equal(written.stdout, '', 'nothing on stdout: the private key goes to the file only');
    assert.equal(readFileSync(file, 'utf8'), printed.stdout);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    for (const wrong of ['dns.example.com', '10.7.0.1/32', '10.7.0.1\nPostUp = rm -rf /']) {
      const refused = await h.cli(['wireguard', 'peer', 'config', gatewayId, peerId, '--private-key-file', key, '--dns', wrong]);
      assert.equal(refused.status, 2, wrong);
      assert.match(refused.stderr, /^vpngw wireguard peer config: --dns takes IP addresses, not /);
      assert.equal(refused.stdout, '');
    }
  });

  test('gateway status against the files driver is one clear line and exit status 1', async () => {
    const wg = await h.cli(['wireguard', 'gateway', 'status', gatewayId]);
    assert.equal(wg.status, 1);
    assert.equal(wg.stdout, '');
    assert.equal(wg.stderr, 'vpngw wireguard gateway status: live state needs the linux data plane: this server runs the files driver, '
      + 'which only renders configuration (start it with --driver linux).\n');
    const ipsec = (await h.cli(['ipsec', 'gateway', 'create', '--name', 'site', '--gateway-ip', '203.0.113.2',
      '--connection', `${DATACENTER_ID},2,192.168.1.101/24`, '-o', 'json'])).json();
    const result = await h.cli(['ipsec', 'gateway', 'status', ipsec.id]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^vpngw ipsec gateway status: live state needs the linux data plane: .*\n$/);
  });
});
