import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertIonosError, holdDataPlane, waitForGone, waitForStatus } from '../support/api-assertions.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { GATEWAY_PRIVATE_KEY, ipsecGateway, ipsecTunnel, peerKey, PEER_PUBLIC_KEY, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';

describe('lifecycle with a controllable data plane', () => {
  let svc: TestService;
  const driver = new FakeDriver();
  before(async () => { svc = await startTestService({ driver }); });
  after(async () => { await svc.stop(); });

  test('create answers PROVISIONING, the gateway is readable at once, and AVAILABLE once applied', async () => {
    const release = holdDataPlane(driver);
    let id: string;
    try {
      const res = await svc.request('POST', '/wireguardgateways', wireguardGateway());
      assert.equal(res.status, 201);
      assert.equal(res.body.metadata.status, 'PROVISIONING');
      id = res.body.id;
      const read = await svc.request('GET', `/wireguardgateways/${id}`);
      assert.equal(read.status, 200, 'readable right after POST');
      assert.equal(read.body.metadata.status, 'PROVISIONING');
      assert.equal(read.body.metadata.statusMessage ?? null, null);
      const listed = await svc.request('GET', '/wireguardgateways?limit=1000');
      assert.equal(listed.body.items.find((i: { id: string }) => i.id === id)?.metadata.status, 'PROVISIONING');
      assert.equal(driver.applied.has(id), false);
    } finally {
      release();
    }
    const available = await waitForStatus(svc, `/wireguardgateways/${id}`, 'AVAILABLE');
    assert.equal(available.metadata.statusMessage ?? null, null);
    assert.equal(driver.applied.get(id)?.kind, 'wireguard');
  });

  test('a failed apply shows FAILED with the data plane\'s reason; another gateway stays AVAILABLE; a fix recovers', async () => {
    const broken = '1d6f2c3b-8a9e-4b0c-9d1e-2f3a4b5c6d7e';
    driver.failures.set(broken, 'listen port 51820 is already in use');
    try {
      const healthy = await svc.request('POST', '/wireguardgateways', wireguardGateway({ name: 'healthy' }));
      const put = await svc.request('PUT', `/wireguardgateways/${broken}`, wireguardGateway({ name: 'broken' }));
      assert.equal(put.status, 200, put.text);
      const failed = await waitForStatus(svc, `/wireguardgateways/${broken}`, 'FAILED');
      assert.equal(failed.metadata.statusMessage, 'listen port 51820 is already in use');
      await waitForStatus(svc, `/wireguardgateways/${healthy.body.id}`, 'AVAILABLE');
      const peer = await svc.request('POST', `/wireguardgateways/${broken}/peers`, wireguardPeer());
      assert.equal(peer.status, 201, 'a FAILED gateway still takes changes');
      await waitForStatus(svc, `/wireguardgateways/${broken}/peers/${peer.body.id}`, 'FAILED');
    } finally {
      driver.failures.delete(broken);
    }
    const retried = await svc.request('PUT', `/wireguardgateways/${broken}`, wireguardGateway({ name: 'fixed' }));
    assert.equal(retried.status, 200);
    const recovered = await waitForStatus(svc, `/wireguardgateways/${broken}`, 'AVAILABLE');
    assert.equal(recovered.metadata.statusMessage ?? null, null, 'no stale statusMessage once AVAILABLE');
  });

  test('DELETE answers 202, the gateway shows DESTROYING until removed, then 404 with its peers gone', async () => {
    const created = await svc.request('POST', '/wireguardgateways', wireguardGateway());
    const id = created.body.id;
    const peer = await svc.request('POST', `/wireguardgateways/${id}/peers`, wireguardPeer());
    await waitForStatus(svc, `/wireguardgateways/${id}`, 'AVAILABLE');
    const release = holdDataPlane(driver);
    try {
      const res = await svc.request('DELETE', `/wireguardgateways/${id}`);
      assert.equal(res.status, 202);
      assert.equal(res.text, '');
      const read = await svc.request('GET', `/wireguardgateways/${id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.metadata.status, 'DESTROYING');
      assert.equal((await svc.request('GET', `/wireguardgateways/${id}/peers/${peer.body.id}`)).body.metadata.status, 'DESTROYING');
      assert.equal((await svc.request('DELETE', `/wireguardgateways/${id}`)).status, 202, 'deleting twice is fine');

      assertIonosError(await svc.request('PUT', `/wireguardgateways/${id}`, wireguardGateway({ name: 'too late' })), 409, undefined, 'GATEWAY_DESTROYING');
      assertIonosError(await svc.request('POST', `/wireguardgateways/${id}/peers`, wireguardPeer({ publicKey: peerKey(1) })), 409, undefined, 'GATEWAY_DESTROYING');
      assertIonosError(await svc.request('PUT', `/wireguardgateways/${id}/peers/${peer.body.id}`, wireguardPeer()), 409, undefined, 'GATEWAY_DESTROYING');
      assertIonosError(await svc.request('DELETE', `/wireguardgateways/${id}/peers/${peer.body.id}`), 409, undefined, 'GATEWAY_DESTROYING');
      assert.equal((await svc.request('GET', `/wireguardgateways/${id}`)).body.properties.name, 'My Company Gateway', 'the refused PUT changed nothing');
      assert.ok(driver.applied.has(id), 'not removed while the data plane is held');
    } finally {
      release();
    }
    await waitForGone(svc, `/wireguardgateways/${id}`);
    assertIonosError(await svc.request('GET', `/wireguardgateways/${id}/peers/${peer.body.id}`), 404);
    assert.equal(driver.applied.has(id), false);
    const list = await svc.request('GET', '/wireguardgateways?limit=1000');
    assert.ok(!list.body.items.some((i: { id: string }) => i.id === id));
  });

  test('an IPSec gateway goes through the same states', async () => {
    const release = holdDataPlane(driver);
    let id: string;
    try {
      const res = await svc.request('POST', '/ipsecgateways', ipsecGateway());
      id = res.body.id;
      assert.equal(res.body.metadata.status, 'PROVISIONING');
      assert.equal((await svc.request('POST', `/ipsecgateways/${id}/tunnels`, ipsecTunnel())).body.metadata.status, 'PROVISIONING');
    } finally {
      release();
    }
    await waitForStatus(svc, `/ipsecgateways/${id}`, 'AVAILABLE');
    const hold = holdDataPlane(driver);
    try {
      assert.equal((await svc.request('DELETE', `/ipsecgateways/${id}`)).status, 202);
      assert.equal((await svc.request('GET', `/ipsecgateways/${id}`)).body.metadata.status, 'DESTROYING');
      assertIonosError(await svc.request('POST', `/ipsecgateways/${id}/tunnels`, ipsecTunnel()), 409);
    } finally {
      hold();
    }
    await waitForGone(svc, `/ipsecgateways/${id}`);
  });
});

describe('lifecycle with the files data plane (the default)', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  const wireguardFile = (id: string) => join(svc.dataDir, 'dataplane', 'wireguard', `${id}.conf`);
  const ipsecFile = (id: string) => join(svc.dataDir, 'dataplane', 'ipsec', `${id}.swanctl.conf`);

  test('a WireGuard gateway is rendered to a 0600 file with its peers once AVAILABLE, and the file goes with the gateway', async () => {
    const g = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    const peer = await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer());
    await waitForStatus(svc, `/wireguardgateways/${g}/peers/${peer.body.id}`, 'AVAILABLE');
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    const path = wireguardFile(g);
    assert.ok(existsSync(path), path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.includes(PEER_PUBLIC_KEY), text);
    assert.ok(text.includes(GATEWAY_PRIVATE_KEY), 'the data plane needs the private key');
    assert.ok(!text.includes('laptop'), 'names never reach the config');

    assert.equal((await svc.request('DELETE', `/wireguardgateways/${g}/peers/${peer.body.id}`)).status, 202);
    await eventually(async () => !readFileSync(path, 'utf8').includes(PEER_PUBLIC_KEY), 5000, 'the peer to leave the file');

    assert.equal((await svc.request('DELETE', `/wireguardgateways/${g}`)).status, 202);
    await waitForGone(svc, `/wireguardgateways/${g}`);
    assert.equal(existsSync(path), false, 'the rendered file is removed with the gateway');
  });

  test('drift is repaired: a rendered file deleted by hand is written again by the next pass', async () => {
    const g = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer());
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    const path = wireguardFile(g);
    await eventually(async () => existsSync(path) && readFileSync(path, 'utf8').includes(PEER_PUBLIC_KEY), 5000, 'the rendered file');
    const before = readFileSync(path, 'utf8');
    rmSync(path);
    await svc.reconciler.runPass();
    assert.ok(existsSync(path), 'rewritten after a pass');
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await svc.request('GET', `/wireguardgateways/${g}`)).body.metadata.status, 'AVAILABLE');
  });

  test('the gateway\'s namespace, legs and firewall are rendered beside its configuration, and go with it', async () => {
    const g = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    await svc.request('POST', `/wireguardgateways/${g}/peers`, wireguardPeer());
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    const path = join(svc.dataDir, 'dataplane', 'wireguard', `${g}.nft`);
    await eventually(async () => existsSync(path) && readFileSync(path, 'utf8').includes('172.16.0.2'), 5000, 'the firewall with the peer');
    const text = readFileSync(path, 'utf8');
    assert.match(text, new RegExp(`^# namespace vgw-${g}$`, 'm'));
    assert.match(text, /^table inet vpngw \{$/m);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await svc.request('DELETE', `/wireguardgateways/${g}`)).status, 202);
    await waitForGone(svc, `/wireguardgateways/${g}`);
    assert.equal(existsSync(path), false);
  });

  test('a full pass removes what no gateway wants (a stray file, a temp file a killed write left) and restores a hand-edited file', async () => {
    const g = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    await waitForStatus(svc, `/wireguardgateways/${g}`, 'AVAILABLE');
    const dir = join(svc.dataDir, 'dataplane', 'wireguard');
    await eventually(async () => existsSync(wireguardFile(g)), 5000, 'the rendered file');
    const rendered = readFileSync(wireguardFile(g), 'utf8');
    const stray = join(dir, '00000000-0000-4000-8000-00000000dead.conf');
    const temp = join(dir, `${g}.conf.0123456789ab.tmp`);
    writeFileSync(stray, '[Interface]\n');
    writeFileSync(temp, 'PrivateKey = half-written\n', { mode: 0o600 });
    writeFileSync(wireguardFile(g), `${rendered}\n[Peer]\nPublicKey = added-by-hand\n`);
    await svc.reconciler.runPass();
    assert.equal(existsSync(stray), false, 'a gateway nobody wants is removed');
    assert.equal(existsSync(temp), false, 'the temp file is swept');
    assert.equal(readFileSync(wireguardFile(g), 'utf8'), rendered, 'the hand edit is undone');
  });

  test('an IPSec gateway with a tunnel is rendered as swanctl configuration', async () => {
    const g = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    const tunnel = await svc.request('POST', `/ipsecgateways/${g}/tunnels`, ipsecTunnel({ remoteHost: '203.0.113.77', peerNetworkCIDRs: ['10.0.1.0/24'] }));
    assert.equal(tunnel.status, 201, tunnel.text);
    await waitForStatus(svc, `/ipsecgateways/${g}/tunnels/${tunnel.body.id}`, 'AVAILABLE');
    const path = ipsecFile(g);
    assert.ok(existsSync(path), path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.includes('203.0.113.77'), text);
    assert.ok(text.includes('10.0.1.0/24'), 'the remote network is in the configuration');
    assert.equal((await svc.request('DELETE', `/ipsecgateways/${g}`)).status, 202);
    await waitForGone(svc, `/ipsecgateways/${g}`);
    assert.equal(existsSync(path), false);
  });
});
