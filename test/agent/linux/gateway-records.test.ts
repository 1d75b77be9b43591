import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GatewayRecords } from '../../../src/agent/linux/gateway-records.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

test('a delegated lease keeps its flag across a restart; a record written before the flag existed still loads as taken from the host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-records-'));
  try {
    const path = join(dir, 'gateways.json');
    // As an earlier version wrote it: no `delegated` field.
    writeFileSync(path, JSON.stringify({ [A]: { kind: 'wireguard', uplink: { address: '203.0.113.5', prefixLength: 24, hostInterface: 'eth0' }, lans: [] } }));
    new GatewayRecords(path).put(B, { kind: 'ipsec', uplink: { address: '192.0.2.70', prefixLength: 32, hostInterface: 'eth0', delegated: true }, lans: [] });
    const leases = new GatewayRecords(path).leases();
    assert.deepEqual(leases[A], { address: '203.0.113.5', prefixLength: 24, hostInterface: 'eth0' });
    assert.equal(leases[A]?.delegated, undefined);
    assert.deepEqual(leases[B], { address: '192.0.2.70', prefixLength: 32, hostInterface: 'eth0', delegated: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
