import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { desiredGateway, lanBindingMap } from '../../src/agent/desired-state-builder.ts';
import { DatacenterAdministration } from '../../src/service/datacenter-admin.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import type { GatewayRecord, LanRecord } from '../../src/store/store.ts';
import { FakeDriver } from '../support/fake-driver.ts';
import { GATEWAY_PRIVATE_KEY, ipsecGateway, wireguardGateway } from '../support/fixtures.ts';
import { startTestService } from '../support/test-service.ts';

const DC = '5A029F4A-72E5-11EC-90D6-0242AC120003';
const dc = DC.toLowerCase();
const stamp = { date: '2024-01-01T00:00:00.000Z', by: 'admin@example.com', byUserId: 'u1' };
const box = new SecretBox(randomBytes(32));

function lan(datacenterId: string, lanId: string, hostInterface: string | null): LanRecord {
  return { datacenterId, lanId, name: '', hostInterface, createdDate: stamp.date, lastModifiedDate: stamp.date };
}

function record(kind: GatewayRecord['kind'], id: string): GatewayRecord {
  const connections = [
    { datacenterId: DC, lanId: '2', ipv4CIDR: '192.168.1.100/24', ipv6CIDR: '2001:db8:1::100/64' },
    { datacenterId: DC, lanId: '3', ipv4CIDR: '192.168.2.100/24' },
  ];
  return {
    id, contractNumber: 31000001, kind,
    properties: { gatewayIP: '203.0.113.5', listenPort: 51820, interfaceIPv4CIDR: '10.9.0.1/24', connections },
    secret: kind === 'wireguard' ? box.seal(GATEWAY_PRIVATE_KEY, id) : null, publicKey: null,
    status: 'PROVISIONING', statusMessage: null, generation: 1, appliedGeneration: 0, deleting: false, created: stamp, modified: stamp,
  };
}

test('each connection carries the interface its LAN is bound to; an unbound LAN has none; datacenter ids are lower-cased', () => {
  const bindings = lanBindingMap([lan(dc, '2', 'eth1'), lan(dc, '3', null), lan('00000000-0000-4000-8000-000000000001', '3', 'eth9')]);
  const expected = [
    { datacenterId: dc, lanId: '2', ipv4CIDR: '192.168.1.100/24', ipv6CIDR: '2001:db8:1::100/64', hostInterface: 'eth1' },
    { datacenterId: dc, lanId: '3', ipv4CIDR: '192.168.2.100/24' },
  ];
  const wireguard = desiredGateway(record('wireguard', '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5'), [], box, bindings);
  assert.deepEqual(wireguard.connections, expected);
  assert.equal(wireguard.kind === 'wireguard' && wireguard.privateKey, GATEWAY_PRIVATE_KEY);
  assert.deepEqual(desiredGateway(record('ipsec', '1d2e3f4a-5b6c-4d7e-8f80-91a2b3c4d5e6'), [], box, bindings).connections, expected);
  assert.deepEqual(desiredGateway(record('ipsec', '1d2e3f4a-5b6c-4d7e-8f80-91a2b3c4d5e6'), [], box, new Map()).connections.map((c) => c.hostInterface), [undefined, undefined]);
});

test('a binding whose name is no interface name never reaches the data plane', () => {
  const bindings = lanBindingMap([lan(dc, '2', '-o eth1'), lan(dc, '3', 'eth3')]);
  assert.deepEqual([...bindings.entries()], [[`${dc}/3`, 'eth3']]);
});

test('the reconciler hands the driver each gateway with the LAN bindings of its pass', async () => {
  const driver = new FakeDriver();
  const svc = await startTestService({ driver });
  try {
    const wg = await svc.request('POST', '/wireguardgateways', wireguardGateway({ connections: [{ datacenterId: DC, lanId: '2', ipv4CIDR: '192.168.1.100/24' }] }));
    const ipsec = await svc.request('POST', '/ipsecgateways', ipsecGateway({ connections: [{ datacenterId: dc, lanId: '2', ipv4CIDR: '192.168.1.101/24' }] }));
    assert.equal(wg.status, 201, wg.text);
    assert.equal(ipsec.status, 201, ipsec.text);
    await svc.reconciler.runPass();
    assert.equal(driver.applied.get(wg.body.id)?.connections[0]?.hostInterface, undefined, 'unbound at first');

    await new DatacenterAdministration(svc.store).bindLan({ datacenterId: dc, lanId: '2', hostInterface: 'ens4' });
    await svc.reconciler.runPass();
    for (const id of [wg.body.id, ipsec.body.id]) {
      assert.deepEqual(driver.applied.get(id)?.connections.map((c) => [c.datacenterId, c.lanId, c.hostInterface]), [[dc, '2', 'ens4']]);
    }
    await new DatacenterAdministration(svc.store).unbindLan(dc, '2');
    await svc.reconciler.runPass();
    assert.equal(driver.applied.get(wg.body.id)?.connections[0]?.hostInterface, undefined, 'unbinding takes it away on the next pass');
  } finally {
    await svc.stop();
  }
});
