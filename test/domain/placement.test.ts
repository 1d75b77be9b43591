import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostHolds, placeGateway, type PlacementGateway, type PlacementHost } from '../../src/domain/placement.ts';
import { validateInventory } from '../../src/domain/host-inventory.ts';

const DC = '5e1d7a52-3b4c-4d5e-8f60-718293a4b5c6';

function host(id: string, overrides: Partial<PlacementHost> = {}): PlacementHost {
  return { id, state: 'ACTIVE', createdDate: `2026-01-01T00:00:0${id.length}.000Z`, addresses: [], delegatedBlocks: [], lans: new Set(), ...overrides };
}

function gateway(gatewayIP: string, overrides: Partial<PlacementGateway> = {}): PlacementGateway {
  return { gatewayIP, connections: [], deleting: false, currentHostId: null, ...overrides };
}

describe('placement', () => {
  test('a host holds its own addresses and every address of its delegated blocks, in either family', () => {
    const h = host('a', { addresses: ['203.0.113.7', '2001:db8::7'], delegatedBlocks: ['198.51.100.0/28', '2001:db8:1::/64'] });
    assert.equal(hostHolds(h, '203.0.113.7'), true);
    assert.equal(hostHolds(h, '2001:DB8:0::7'), true, 'IPv6 compared by value, not text');
    assert.equal(hostHolds(h, '198.51.100.15'), true);
    assert.equal(hostHolds(h, '198.51.100.16'), false);
    assert.equal(hostHolds(h, '2001:db8:1::ffff'), true);
    assert.equal(hostHolds(h, '203.0.113.8'), false);
    assert.equal(hostHolds(h, 'not an address'), false);
  });

  test('no host holding the address: unplaced, saying which address', () => {
    assert.deepEqual(placeGateway(gateway('203.0.113.7'), [host('a', { addresses: ['203.0.113.8'] })]), { hostId: null, message: 'no gateway host holds 203.0.113.7' });
  });

  test('two hosts holding one address: the oldest one, whatever their order', () => {
    const older = host('a', { addresses: ['203.0.113.7'], createdDate: '2026-01-01T00:00:00.000Z' });
    const younger = host('b', { delegatedBlocks: ['203.0.113.0/24'], createdDate: '2026-02-01T00:00:00.000Z' });
    assert.deepEqual(placeGateway(gateway('203.0.113.7'), [younger, older]), { hostId: 'a' });
    assert.deepEqual(placeGateway(gateway('203.0.113.7'), [older, younger]), { hostId: 'a' });
  });

  test('a host with every LAN the gateway names comes first; a gateway stays where it is otherwise', () => {
    const connections = [{ datacenterId: DC.toUpperCase(), lanId: '2' }];
    const withLan = host('bb', { addresses: ['203.0.113.7'], lans: new Set([`${DC}/2`]) });
    const without = host('a', { addresses: ['203.0.113.7'] });
    assert.deepEqual(placeGateway(gateway('203.0.113.7', { connections }), [without, withLan]), { hostId: 'bb' });
    assert.deepEqual(placeGateway(gateway('203.0.113.7', { currentHostId: 'bb' }), [without, withLan]), { hostId: 'bb' }, 'no move without a reason');
    assert.deepEqual(placeGateway(gateway('203.0.113.7'), [without, withLan]), { hostId: 'a' });
  });

  test('a draining host gets no new gateway, keeps its own only while no active host holds them', () => {
    const draining = host('a', { state: 'DRAINING', addresses: ['203.0.113.7'] });
    assert.equal(placeGateway(gateway('203.0.113.7'), [draining]).hostId, null);
    assert.deepEqual(placeGateway(gateway('203.0.113.7', { currentHostId: 'a' }), [draining]), { hostId: 'a' });
    const active = host('bb', { addresses: ['203.0.113.7'] });
    assert.deepEqual(placeGateway(gateway('203.0.113.7', { currentHostId: 'a' }), [draining, active]), { hostId: 'bb' });
  });

  test('a gateway being deleted is placed nowhere', () => {
    assert.equal(placeGateway(gateway('203.0.113.7', { deleting: true }), [host('a', { addresses: ['203.0.113.7'] })]).hostId, null);
  });
});

describe('host inventory', () => {
  test('addresses and blocks come out canonical, duplicates collapsed', () => {
    const inventory = validateInventory({
      addresses: ['2001:DB8:0:0::1', '2001:db8::1', '203.0.113.7'], delegatedBlocks: ['198.51.100.9/28'],
      lans: [{ datacenterId: DC.toUpperCase(), lanId: '3', interface: 'eth1' }],
    });
    assert.deepEqual(inventory, {
      addresses: ['2001:db8::1', '203.0.113.7'], delegatedBlocks: ['198.51.100.0/28'], lans: [{ datacenterId: DC, lanId: '3', interface: 'eth1' }],
    });
  });

  test('one interface for two LANs, or one LAN twice, is refused naming the entry', () => {
    assert.throws(() => validateInventory({ addresses: [], delegatedBlocks: [], lans: [
      { datacenterId: DC, lanId: '1', interface: 'eth1' }, { datacenterId: DC, lanId: '2', interface: 'eth1' },
    ] }), /lans\[1\]\.interface/);
    assert.throws(() => validateInventory({ addresses: [], delegatedBlocks: [], lans: [
      { datacenterId: DC, lanId: '1', interface: 'eth1' }, { datacenterId: DC, lanId: '1', interface: 'eth2' },
    ] }), /lans\[1\]/);
  });
});

