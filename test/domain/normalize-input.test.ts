import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalPeerProperties, canonicalTunnelProperties, dropEmpty } from '../../src/domain/normalize-input.ts';

describe('dropEmpty', () => {
  test('trims strings; empty strings and null become absent', () => {
    assert.equal(dropEmpty('  key=\n'), 'key=');
    assert.equal(dropEmpty(''), undefined);
    assert.equal(dropEmpty(' \t\n'), undefined);
    assert.equal(dropEmpty(null), undefined);
    assert.equal(dropEmpty(undefined), undefined);
  });

  test('keeps numbers and booleans, including 0 and false', () => {
    assert.equal(dropEmpty(0), 0);
    assert.equal(dropEmpty(false), false);
    assert.equal(dropEmpty(51820), 51820);
  });

  test('drops empty fields, and objects left empty where the schema expects an object (the SDK\'s unset window)', () => {
    const window = { type: 'object', properties: { time: { type: 'string' }, dayOfTheWeek: {} } };
    const body = { type: 'object', properties: { properties: { type: 'object', properties: { maintenanceWindow: window, name: { type: 'string' } } } } };
    assert.deepEqual(dropEmpty({ name: 'gw', description: '', tier: null, listenPort: 0 }), { name: 'gw', listenPort: 0 });
    assert.equal(dropEmpty({ time: '', dayOfTheWeek: '' }, window), undefined);
    assert.deepEqual(dropEmpty({ properties: { maintenanceWindow: { time: '', dayOfTheWeek: '' }, name: 'x' } }, body), { properties: { name: 'x' } });
  });

  test('an object left empty where no object is expected stays {}, so the wrong type is still reported', () => {
    const schema = { type: 'object', properties: { description: { type: 'string' }, privateKey: { type: 'string' } } };
    assert.deepEqual(dropEmpty({ description: { a: null }, privateKey: {} }, schema), { description: {}, privateKey: {} });
    assert.deepEqual(dropEmpty({ a: { b: { c: null } } }), { a: { b: {} } });
  });

  test('filters empties out of arrays but keeps the array', () => {
    const connections = { type: 'array', items: { type: 'object', properties: { ipv4CIDR: { type: 'string' } } } };
    assert.deepEqual(dropEmpty(['10.0.0.0/8', '', null, ' fd00::/8 ']), ['10.0.0.0/8', 'fd00::/8']);
    assert.deepEqual(dropEmpty([]), []);
    assert.deepEqual(dropEmpty([{ ipv4CIDR: '' }], connections), []);
  });

  test('passwords are taken verbatim (spaces kept), an empty one is absent', () => {
    assert.deepEqual(dropEmpty({ password: '  spaced pass  ', email: ' a@b.cd ' }), { password: '  spaced pass  ', email: 'a@b.cd' });
    assert.deepEqual(dropEmpty({ password: '', email: 'a@b.cd' }), { email: 'a@b.cd' });
  });

  test('a body nested deeper than 32 levels is a 400, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i += 1) deep = [deep];
    assert.throws(() => dropEmpty({ properties: { extra: deep } }), (e: { httpStatus?: number }) => e.httpStatus === 400);
  });

  test('does not modify its input', () => {
    const input = { properties: { name: ' x ', description: '' } };
    dropEmpty(input);
    assert.deepEqual(input, { properties: { name: ' x ', description: '' } });
  });
});

describe('canonicalTunnelProperties', () => {
  test('moves auth.ike / auth.esp to ike / esp and psk.secret to psk.key', () => {
    const out = canonicalTunnelProperties({
      name: 't', auth: { method: 'PSK', psk: { secret: 's3cret-value' }, ike: { lifetime: 7200 }, esp: { lifetime: 3600 } },
    });
    assert.deepEqual(out, { name: 't', auth: { method: 'PSK', psk: { key: 's3cret-value' } }, ike: { lifetime: 7200 }, esp: { lifetime: 3600 } });
  });

  test('maps the docs\' encryption/hash/auth names, with AES-256 → AES256 and AES-128 → AES128', () => {
    const out = canonicalTunnelProperties({
      ike: { encryption: 'AES-256', hash: 'SHA256', diffieHellmanGroup: '19-ECP256' },
      esp: { encryption: 'AES-128', auth: 'SHA512' },
    });
    assert.deepEqual(out, {
      ike: { encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', diffieHellmanGroup: '19-ECP256' },
      esp: { encryptionAlgorithm: 'AES128', integrityAlgorithm: 'SHA512' },
    });
  });

  test('unknown variant values pass through for the schema to refuse', () => {
    assert.deepEqual(canonicalTunnelProperties({ ike: { encryption: 'AES-512' } }), { ike: { encryptionAlgorithm: 'AES-512' } });
    assert.deepEqual(canonicalTunnelProperties({ ike: { encryption: 7 } }), { ike: { encryptionAlgorithm: 7 } });
  });

  test('the canonical fields win when both forms are given', () => {
    const out = canonicalTunnelProperties({
      ike: { encryptionAlgorithm: 'AES128-GCM-16', encryption: 'AES-256', integrityAlgorithm: 'SHA384', hash: 'SHA256' },
      esp: { lifetime: 4000 },
      auth: { psk: { key: 'the-key', secret: 'the-secret' }, esp: { lifetime: 5000 } },
    }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the normalized body, read field by field
    assert.equal(out.ike.encryptionAlgorithm, 'AES128-GCM-16');
    assert.equal(out.ike.integrityAlgorithm, 'SHA384');
    assert.equal(out.esp.lifetime, 4000);
    assert.deepEqual(out.auth.psk, { key: 'the-key' });
  });

  test('canonical input is unchanged; non-objects pass through', () => {
    const canonical = {
      name: 't', remoteHost: '203.0.113.1', auth: { method: 'PSK', psk: { key: 'k-12345678' } },
      ike: { diffieHellmanGroup: '16-MODP4096' }, esp: {}, cloudNetworkCIDRs: ['10.0.0.0/24'], peerNetworkCIDRs: ['10.0.1.0/24'],
    };
    assert.deepEqual(canonicalTunnelProperties(structuredClone(canonical)), canonical);
    assert.equal(canonicalTunnelProperties(undefined), undefined);
    assert.equal(canonicalTunnelProperties('x'), 'x');
    assert.deepEqual(canonicalTunnelProperties([1]), [1]);
    assert.deepEqual(canonicalTunnelProperties({ auth: { psk: 'not-an-object' } }), { auth: { psk: 'not-an-object' } });
  });
});

describe('canonicalPeerProperties', () => {
  test('an endpoint without a host is no endpoint (a roaming peer)', () => {
    assert.deepEqual(canonicalPeerProperties({ name: 'p', endpoint: { port: 51820 } }), { name: 'p' });
    assert.deepEqual(canonicalPeerProperties({ name: 'p', endpoint: {} }), { name: 'p' });
  });

  test('an endpoint with a host, or no endpoint, is left as it is; non-objects pass through', () => {
    assert.deepEqual(canonicalPeerProperties({ endpoint: { host: 'h.example', port: 1 } }), { endpoint: { host: 'h.example', port: 1 } });
    assert.deepEqual(canonicalPeerProperties({ name: 'p' }), { name: 'p' });
    assert.deepEqual(canonicalPeerProperties({ endpoint: 'x' }), { endpoint: 'x' });
    assert.equal(canonicalPeerProperties(null), null);
  });
});
