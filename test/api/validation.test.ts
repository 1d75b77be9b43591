import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BODY_LIMIT_BYTES } from '../../src/api/app.ts';
import { assertIonosError } from '../support/api-assertions.ts';
import {
  connection, DATACENTER_ID, GATEWAY_PRIVATE_KEY, ipsecGateway, ipsecTunnel, peerKey, PEER_PUBLIC_KEY, PSK, wireguardGateway, wireguardPeer,
} from '../support/fixtures.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

type Resource = 'wireguardgateway' | 'wireguardpeer' | 'ipsecgateway' | 'ipsectunnel';
type Verb = 'POST' | 'PUT';

interface Case {
  resource: Resource;
  what: string;
  /** Overrides of the valid fixture's properties; a key set to undefined is left out. */
  properties: Record<string, unknown>;
  status: number;
  field: RegExp;
  errorCode?: string;
  /** Only for this verb (e.g. a secret may be left out on a PUT that replaces). */
  only?: Verb;
}

const OTHER_DATACENTER = '6b029f4a-72e5-11ec-90d6-0242ac120004';
const KEY_43_CHARS = GATEWAY_PRIVATE_KEY.slice(0, 43);
const NOT_BASE64 = `${'!'.repeat(43)}=`;
const KEY_OF_31_BYTES = Buffer.alloc(31, 7).toString('base64');
const json = { 'content-type': 'application/json' };
const cidrs = (n: number) => Array.from({ length: n }, (_, i) => `10.9.${i}.0/24`);

function gatewayCases(resource: 'wireguardgateway' | 'ipsecgateway'): Case[] {
  const c = (what: string, properties: Record<string, unknown>, field: RegExp, status = 400, extra: Partial<Case> = {}): Case =>
    ({ resource, what, properties, field, status, ...extra });
  return [
    c('name missing', { name: undefined }, /properties\.name/),
    c('name empty (SDK unset)', { name: '' }, /properties\.name/),
    c('name of 256 characters', { name: 'n'.repeat(256) }, /properties\.name/),
    c('name a number', { name: 42 }, /properties\.name/),
    c('description of 1025 characters', { description: 'd'.repeat(1025) }, /properties\.description/),
    c('gatewayIP missing', { gatewayIP: undefined }, /properties\.gatewayIP/),
    c('gatewayIP with a prefix', { gatewayIP: '192.0.2.10/32' }, /properties\.gatewayIP/),
    c('gatewayIP a hostname', { gatewayIP: 'vpn.example.com' }, /properties\.gatewayIP/),
    c('gatewayIP out of range', { gatewayIP: '192.0.2.256' }, /properties\.gatewayIP/),
    c('connections missing', { connections: undefined }, /properties\.connections/),
    c('connections null (SDK unset)', { connections: null }, /properties\.connections/),
    c('connections empty', { connections: [] }, /properties\.connections/),
    c('connections with 11 items', { connections: Array.from({ length: 11 }, connection) }, /properties\.connections/),
    c('connections in different datacenters', {
      connections: [connection(), { ...connection(), datacenterId: OTHER_DATACENTER }],
    }, /properties\.connections/, 422, { errorCode: 'CONNECTIONS_IN_DIFFERENT_DATACENTERS' }),
    c('connection with neither ipv4CIDR nor ipv6CIDR', { connections: [{ datacenterId: DATACENTER_ID, lanId: '2' }] },
      /properties\.connections\[0\]\.ipv4CIDR/),
    c('connection ipv4CIDR without prefix', { connections: [{ ...connection(), ipv4CIDR: '192.168.1.100' }] },
      /properties\.connections\[0\]\.ipv4CIDR/),
    c('connection ipv6CIDR holding IPv4', { connections: [{ ...connection(), ipv6CIDR: '192.168.1.0/24' }] },
      /properties\.connections\[0\]\.ipv6CIDR/),
    c('connection lanId a number', { connections: [{ ...connection(), lanId: 2 }] }, /properties\.connections\[0\]\.lanId/),
    c('connection lanId not digits', { connections: [{ ...connection(), lanId: 'two' }] }, /properties\.connections\[0\]\.lanId/),
    c('connection datacenterId missing', { connections: [{ lanId: '2', ipv4CIDR: '192.168.1.100/24' }] },
      /properties\.connections\[0\]\.datacenterId/),
    c('connection datacenterId not a UUID', { connections: [{ ...connection(), datacenterId: 'fra-1' }] },
      /properties\.connections\[0\]\.datacenterId/),
    c('connections not an array', { connections: connection() }, /properties\.connections/),
    c('tier not in the enum', { tier: 'GOLD' }, /properties\.tier/),
    c('tier in lower case', { tier: 'standard' }, /properties\.tier/),
    c('dayOfTheWeek in lower case', { maintenanceWindow: { time: '10:00:00', dayOfTheWeek: 'monday' } },
      /properties\.maintenanceWindow\.dayOfTheWeek/),
    c('dayOfTheWeek abbreviated', { maintenanceWindow: { time: '10:00:00', dayOfTheWeek: 'Mon' } },
      /properties\.maintenanceWindow\.dayOfTheWeek/),
    c('time 25:00:00', { maintenanceWindow: { time: '25:00:00', dayOfTheWeek: 'Monday' } }, /properties\.maintenanceWindow\.time/),
    c('time without seconds', { maintenanceWindow: { time: '10:00', dayOfTheWeek: 'Monday' } }, /properties\.maintenanceWindow\.time/),
    c('window without a day', { maintenanceWindow: { time: '10:00:00' } }, /properties\.maintenanceWindow\.dayOfTheWeek/),
  ];
}

const wireguardGatewayCases: Case[] = [
  ...gatewayCases('wireguardgateway'),
  ...([
    ['privateKey missing on create', { privateKey: undefined }, /properties\.privateKey/, 'POST'],
    ['privateKey of 43 base64 characters', { privateKey: KEY_43_CHARS }, /properties\.privateKey/],
    ['privateKey not base64', { privateKey: NOT_BASE64 }, /properties\.privateKey/],
    ['privateKey of 31 bytes', { privateKey: KEY_OF_31_BYTES }, /properties\.privateKey/],
    ['listenPort as the string "51820"', { listenPort: '51820' }, /properties\.listenPort/],
    ['listenPort 0', { listenPort: 0 }, /properties\.listenPort/],
    ['listenPort 65536', { listenPort: 65536 }, /properties\.listenPort/],
    ['listenPort not an integer', { listenPort: 51820.5 }, /properties\.listenPort/],
    ['neither interfaceIPv4CIDR nor interfaceIPv6CIDR', { interfaceIPv4CIDR: undefined }, /properties\.interfaceIPv4CIDR/],
    ['interfaceIPv4CIDR without prefix', { interfaceIPv4CIDR: '172.16.0.1' }, /properties\.interfaceIPv4CIDR/],
    ['interfaceIPv4CIDR holding IPv6', { interfaceIPv4CIDR: 'fd00::1/64' }, /properties\.interfaceIPv4CIDR/],
    ['interfaceIPv4CIDR with prefix 33', { interfaceIPv4CIDR: '172.16.0.1/33' }, /properties\.interfaceIPv4CIDR/],
    ['interfaceIPv6CIDR holding IPv4', { interfaceIPv6CIDR: '172.16.0.1/24' }, /properties\.interfaceIPv6CIDR/],
    ['interfaceIPv6CIDR with prefix 129', { interfaceIPv6CIDR: 'fd00::1/129' }, /properties\.interfaceIPv6CIDR/],
  ] as const).map(([what, properties, field, only]): Case => ({
    resource: 'wireguardgateway', what, properties, field, status: 400, ...(only ? { only } : {}),
  })),
];

const ipsecGatewayCases: Case[] = [
  ...gatewayCases('ipsecgateway'),
  { resource: 'ipsecgateway', what: 'version "IKEv1"', properties: { version: 'IKEv1' }, status: 400, field: /properties\.version/ },
];

const peerCases: Case[] = ([
  ['name missing', { name: undefined }, /properties\.name/],
  ['name of 256 characters', { name: 'p'.repeat(256) }, /properties\.name/],
  ['description of 1025 characters', { description: 'd'.repeat(1025) }, /properties\.description/],
  ['allowedIPs missing', { allowedIPs: undefined }, /properties\.allowedIPs/],
  ['allowedIPs empty', { allowedIPs: [] }, /properties\.allowedIPs/],
  ['allowedIPs a string', { allowedIPs: '10.0.0.0/8' }, /properties\.allowedIPs/],
  ['allowedIPs entry without prefix', { allowedIPs: ['172.16.0.2'] }, /properties\.allowedIPs\[0\]/],
  ['allowedIPs entry with prefix 33', { allowedIPs: ['172.16.0.0/24', '172.16.0.2/33'] }, /properties\.allowedIPs\[1\]/],
  ['publicKey missing', { publicKey: undefined }, /properties\.publicKey/],
  ['publicKey of 43 base64 characters', { publicKey: PEER_PUBLIC_KEY.slice(0, 43) }, /properties\.publicKey/],
  ['publicKey not base64', { publicKey: NOT_BASE64 }, /properties\.publicKey/],
  ['endpoint host as a CIDR', { endpoint: { host: '198.51.100.0/24', port: 51820 } }, /properties\.endpoint\.host/],
  ['endpoint host with a space', { endpoint: { host: 'vpn example.com' } }, /properties\.endpoint\.host/],
  ['endpoint host with a port', { endpoint: { host: '198.51.100.7:51820' } }, /properties\.endpoint\.host/],
  ['endpoint port 0', { endpoint: { host: '198.51.100.7', port: 0 } }, /properties\.endpoint\.port/],
  ['endpoint port 65536', { endpoint: { host: '198.51.100.7', port: 65536 } }, /properties\.endpoint\.port/],
  ['endpoint port a string', { endpoint: { host: '198.51.100.7', port: '51820' } }, /properties\.endpoint\.port/],
] as const).map(([what, properties, field]): Case => ({ resource: 'wireguardpeer', what, properties, field, status: 400 }));

const tunnelCases: Case[] = ([
  ['name missing', { name: undefined }, /properties\.name/],
  ['name of 256 characters', { name: 't'.repeat(256) }, /properties\.name/],
  ['description of 1025 characters', { description: 'd'.repeat(1025) }, /properties\.description/],
  ['remoteHost missing', { remoteHost: undefined }, /properties\.remoteHost/],
  ['remoteHost an IPv6 address', { remoteHost: '2001:db8::1' }, /properties\.remoteHost/],
  ['remoteHost a single-label host', { remoteHost: 'localhost' }, /properties\.remoteHost/],
  ['remoteHost a CIDR', { remoteHost: '203.0.113.0/24' }, /properties\.remoteHost/],
  ['auth missing on create', { auth: undefined }, /properties\.auth\.psk\.key/, 'POST'],
  ['psk key missing on create', { auth: { method: 'PSK' } }, /properties\.auth\.psk\.key/, 'POST'],
  ['psk key empty on create', { auth: { method: 'PSK', psk: { key: '' } } }, /properties\.auth\.psk\.key/, 'POST'],
  ['psk of 7 characters', { auth: { method: 'PSK', psk: { key: '1234567' } } }, /properties\.auth\.psk\.key/],
  ['psk of 256 characters', { auth: { method: 'PSK', psk: { key: 'k'.repeat(256) } } }, /properties\.auth\.psk\.key/],
  ['auth method other than PSK', { auth: { method: 'CERTIFICATE', psk: { key: PSK } } }, /properties\.auth\.method/],
  ['ike lifetime 3599', { ike: { lifetime: 3599 } }, /properties\.ike\.lifetime/],
  ['ike lifetime 86401', { ike: { lifetime: 86401 } }, /properties\.ike\.lifetime/],
  ['esp lifetime 3599', { esp: { lifetime: 3599 } }, /properties\.esp\.lifetime/],
  ['esp lifetime 86401', { esp: { lifetime: 86401 } }, /properties\.esp\.lifetime/],
  ['lifetime as a string', { esp: { lifetime: '3600' } }, /properties\.esp\.lifetime/],
  ['unknown DH group', { ike: { diffieHellmanGroup: '14-MODP2048' } }, /properties\.ike\.diffieHellmanGroup/],
  ['unknown ESP DH group', { esp: { diffieHellmanGroup: 'ECP256' } }, /properties\.esp\.diffieHellmanGroup/],
  ['unknown encryption algorithm', { ike: { encryptionAlgorithm: '3DES' } }, /properties\.ike\.encryptionAlgorithm/],
  ['unknown integrity algorithm', { esp: { integrityAlgorithm: 'MD5' } }, /properties\.esp\.integrityAlgorithm/],
  ['unknown encryption in the docs\' variant', { ike: { encryption: 'AES-512', hash: 'SHA256' } }, /properties\.ike\.encryptionAlgorithm/],
  ['ike not an object', { ike: 'AES256' }, /properties\.ike/],
  ['cloudNetworkCIDRs missing', { cloudNetworkCIDRs: undefined }, /properties\.cloudNetworkCIDRs/],
  ['peerNetworkCIDRs missing', { peerNetworkCIDRs: undefined }, /properties\.peerNetworkCIDRs/],
  ['cloudNetworkCIDRs empty', { cloudNetworkCIDRs: [] }, /properties\.cloudNetworkCIDRs/],
  ['cloudNetworkCIDRs with 21 CIDRs', { cloudNetworkCIDRs: cidrs(21) }, /properties\.cloudNetworkCIDRs/],
  ['peerNetworkCIDRs with 21 CIDRs', { peerNetworkCIDRs: cidrs(21) }, /properties\.peerNetworkCIDRs/],
  ['peerNetworkCIDRs entry without prefix', { peerNetworkCIDRs: ['10.0.1.0'] }, /properties\.peerNetworkCIDRs\[0\]/],
] as const).map(([what, properties, field, only]): Case => ({
  resource: 'ipsectunnel', what, properties, field, status: 400, ...(only ? { only } : {}),
}));

const validBody: Record<Resource, (o: Record<string, unknown>) => { properties: Record<string, unknown> }> = {
  wireguardgateway: wireguardGateway,
  wireguardpeer: wireguardPeer,
  ipsecgateway: ipsecGateway,
  ipsectunnel: ipsecTunnel,
};

describe('validation: every rule of the contract, for create and replace', () => {
  let svc: TestService;
  const paths = {} as Record<Resource, { collection: string; item: string }>;

  before(async () => {
    svc = await startTestService();
    const wg = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    const ip = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    const peer = (await svc.request('POST', `/wireguardgateways/${wg}/peers`, wireguardPeer())).body.id;
    const tunnel = (await svc.request('POST', `/ipsecgateways/${ip}/tunnels`, ipsecTunnel())).body.id;
    paths.wireguardgateway = { collection: '/wireguardgateways', item: `/wireguardgateways/${wg}` };
    paths.ipsecgateway = { collection: '/ipsecgateways', item: `/ipsecgateways/${ip}` };
    paths.wireguardpeer = { collection: `/wireguardgateways/${wg}/peers`, item: `/wireguardgateways/${wg}/peers/${peer}` };
    paths.ipsectunnel = { collection: `/ipsecgateways/${ip}/tunnels`, item: `/ipsecgateways/${ip}/tunnels/${tunnel}` };
    for (const p of Object.values(paths)) assert.match(p.item, /[0-9a-f-]{36}$/);
  });
  after(async () => { await svc.stop(); });

  const url = (resource: Resource, verb: Verb) => (verb === 'POST' ? paths[resource].collection : paths[resource].item);

  for (const c of [...wireguardGatewayCases, ...peerCases, ...ipsecGatewayCases, ...tunnelCases]) {
    for (const verb of ['POST', 'PUT'] as const) {
      if (c.only && c.only !== verb) continue;
      test(`${verb} ${c.resource}: ${c.what} → ${c.status}`, async () => {
        const res = await svc.request(verb, url(c.resource, verb), validBody[c.resource](c.properties));
        assertIonosError(res, c.status, c.field, c.errorCode);
      });
    }
  }

  test('the fixtures themselves are valid for every resource and verb (so each case fails for its own reason)', async () => {
    for (const resource of Object.keys(validBody) as Resource[]) {
      // A distinct peer key: the PUT replaces the existing peer, a POST would duplicate its key.
      const body = validBody[resource](resource === 'wireguardpeer' ? { publicKey: peerKey(90) } : {});
      assert.equal((await svc.request('PUT', url(resource, 'PUT'), body)).status, 200, resource);
    }
    const res = await svc.request('POST', '/wireguardgateways', wireguardGateway({ interfaceIPv4CIDR: undefined, interfaceIPv6CIDR: 'fd00::1/64' }));
    assert.equal(res.status, 201, 'interfaceIPv6CIDR alone is enough');
    const v6Only = await svc.request('POST', '/ipsecgateways', ipsecGateway({
      connections: [{ datacenterId: DATACENTER_ID, lanId: '2', ipv6CIDR: 'fd00:1::1/64' }],
    }));
    assert.equal(v6Only.status, 201, 'a connection with only ipv6CIDR is enough');
  });

  describe('request bodies', () => {
    const routes = (): [string, Verb, Resource][] => [
      ['wireguardgateway', 'POST', 'wireguardgateway'], ['wireguardgateway', 'PUT', 'wireguardgateway'],
      ['wireguardpeer', 'POST', 'wireguardpeer'], ['wireguardpeer', 'PUT', 'wireguardpeer'],
      ['ipsecgateway', 'POST', 'ipsecgateway'], ['ipsecgateway', 'PUT', 'ipsecgateway'],
      ['ipsectunnel', 'POST', 'ipsectunnel'], ['ipsectunnel', 'PUT', 'ipsectunnel'],
    ];

    for (const [label, verb, resource] of routes()) {
      test(`${verb} ${label}: malformed JSON → 400`, async () => {
        const res = await svc.request(verb, url(resource, verb), '{"properties": {"name": "x",', json);
        assertIonosError(res, 400, /JSON/, 'MALFORMED_JSON');
      });

      test(`${verb} ${label}: a body that is not an object → 400`, async () => {
        for (const body of ['[]', '42', '"text"', 'null', 'true', `[${JSON.stringify(validBody[resource]({}))}]`]) {
          const res = await svc.request(verb, url(resource, verb), body, json);
          assertIonosError(res, 400, /body/);
        }
      });

      test(`${verb} ${label}: no properties, or empty ones → 400 naming the field`, async () => {
        assertIonosError(await svc.request(verb, url(resource, verb), {}), 400, /properties/);
        assertIonosError(await svc.request(verb, url(resource, verb), { properties: null }), 400, /properties/);
        assertIonosError(await svc.request(verb, url(resource, verb), { properties: 'x' }), 400, /properties/);
        assertIonosError(await svc.request(verb, url(resource, verb), { properties: { name: '' } }), 400, /properties\.\w+ is required/);
      });

      test(`${verb} ${label}: a body sent as text/plain → 415`, async () => {
        const res = await svc.request(verb, url(resource, verb), JSON.stringify(validBody[resource]({})), { 'content-type': 'text/plain' });
        assertIonosError(res, 415, undefined, 'UNSUPPORTED_MEDIA_TYPE');
        const form = await svc.request(verb, url(resource, verb), 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
        assertIonosError(form, 415, undefined, 'UNSUPPORTED_MEDIA_TYPE');
      });

      test(`${verb} ${label}: a body over 1 MiB → 413`, async () => {
        const body = JSON.stringify(validBody[resource]({ description: 'x'.repeat(BODY_LIMIT_BYTES) }));
        assertIonosError(await svc.request(verb, url(resource, verb), body, json), 413, /1 MiB/, 'PAYLOAD_TOO_LARGE');
      });
    }

    test('JSON with a charset parameter is JSON', async () => {
      const res = await svc.request('POST', '/ipsecgateways', JSON.stringify(ipsecGateway()), { 'content-type': 'application/json; charset=utf-8' });
      assert.equal(res.status, 201, res.text);
    });

    test('a DELETE that carries a Content-Type but no body is still a DELETE', async () => {
      const created = await svc.request('POST', '/ipsecgateways', ipsecGateway());
      const res = await svc.app.inject({
        method: 'DELETE', url: `/ipsecgateways/${created.body.id}`, headers: { authorization: svc.basic, 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 202, res.body);
    });
  });

  describe('path and body ids', () => {
    for (const resource of ['wireguardgateway', 'wireguardpeer', 'ipsecgateway', 'ipsectunnel'] as const) {
      test(`PUT ${resource}: a body id different from the path id → 400; a non-UUID path id → 400`, async () => {
        const other = '0b8f8f9e-9d7e-4c33-9f3a-3a1b2c3d4e5f';
        assertIonosError(await svc.request('PUT', url(resource, 'PUT'), { id: other, ...validBody[resource]({}) }), 400, /id/, 'ID_MISMATCH');
        const badPath = url(resource, 'PUT').replace(/[0-9a-f-]{36}$/, 'not-a-uuid');
        assertIonosError(await svc.request('PUT', badPath, validBody[resource]({})), 400, /must be a UUID/, 'INVALID_ID');
        assertIonosError(await svc.request('GET', badPath), 400, /must be a UUID/, 'INVALID_ID');
        assertIonosError(await svc.request('DELETE', badPath), 400, /must be a UUID/, 'INVALID_ID');
      });
    }
  });

  describe('pagination parameters', () => {
    const bad = ['offset=-1', 'limit=0', 'limit=1001', 'limit=abc', 'offset=1.5', 'offset=1e3', 'limit=-5'];
    for (const resource of ['wireguardgateway', 'wireguardpeer', 'ipsecgateway', 'ipsectunnel'] as const) {
      test(`GET ${resource} collection with ${bad.join(', ')} → 400 naming the parameter`, async () => {
        for (const query of bad) {
          const name = query.split('=')[0] ?? '';
          const res = await svc.request('GET', `${paths[resource].collection}?${query}`);
          assertIonosError(res, 400, new RegExp(name), 'INVALID_PAGINATION');
        }
        const edge = await svc.request('GET', `${paths[resource].collection}?offset=0&limit=1000`);
        assert.equal(edge.status, 200, 'limit 1000 and offset 0 are in range');
        assert.equal(edge.body.limit, 1000);
      });
    }
  });

  describe('no input causes a 5xx', () => {
    const SEED = 20240611;
    const ROUNDS = 60;

    function mulberry32(seed: number): () => number {
      let a = seed;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    const STRINGS = [
      '', ' ', '\n', 'x', '0', '-1', 'null', '{}', '192.0.2.1', '10.0.0.0/8', '::/0', 'fd00::1/64', '999.1.1.1/99', 'vpn.example.com',
      'PSK', 'IKEv2', 'AES-256', 'AES-128', 'SHA256', '16-MODP4096', 'Monday', '10:00:00', DATACENTER_ID, PEER_PUBLIC_KEY,
      '\u0000', '\u202e', '💥', 'x'.repeat(300), '__proto__', 'constructor', "'; DROP TABLE gateways; --", '\nPrivateKey = x',
    ];
    const KEYS = [
      'properties', 'id', 'metadata', 'name', 'description', 'gatewayIP', 'connections', 'datacenterId', 'lanId', 'ipv4CIDR',
      'privateKey', 'listenPort', 'tier', 'maintenanceWindow', 'auth', 'method', 'psk', 'key', 'secret', 'ike', 'esp',
      'encryption', 'hash', 'lifetime', 'endpoint', 'host', 'port', 'allowedIPs', 'publicKey', '__proto__', 'constructor', 'toString',
    ];

    function fuzzer(seed: number) {
      const random = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const scalar = () => pick<unknown>([null, true, false, 0, -1, 1.5, 65536, 1e308, 2 ** 53, pick(STRINGS), pick(STRINGS)]);
      const value = (depth: number): unknown => {
        const r = random();
        if (depth > 3 || r < 0.4) return scalar();
        if (r < 0.65) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
        const out: Record<string, unknown> = {};
        for (let n = Math.floor(random() * 5); n > 0; n--) out[pick(KEYS)] = value(depth + 1);
        return out;
      };
      // Changes one field somewhere in a valid body: the inputs that get furthest into the service.
      const mutate = (body: unknown, depth = 0): unknown => {
        if (body === null || typeof body !== 'object' || random() < 0.2 * depth) return value(2);
        const copy: Record<string, unknown> = Array.isArray(body) ? { ...body } : { ...(body as Record<string, unknown>) };
        const keys = Object.keys(copy);
        const key = keys.length === 0 || random() < 0.15 ? pick(KEYS) : pick(keys);
        copy[key] = keys.includes(key) ? mutate(copy[key], depth + 1) : value(2);
        return Array.isArray(body) ? Object.values(copy) : copy;
      };
      return { random, value, mutate };
    }

    for (const resource of ['wireguardgateway', 'wireguardpeer', 'ipsecgateway', 'ipsectunnel'] as const) {
      for (const verb of ['POST', 'PUT'] as const) {
        test(`${verb} ${resource}: ${ROUNDS} random bodies, every answer below 500 and well-formed`, async () => {
          const seed = SEED + resource.length * 31 + (verb === 'PUT' ? 1 : 0);
          const { random, value, mutate } = fuzzer(seed);
          for (let round = 0; round < ROUNDS; round++) {
            const body = random() < 0.3 ? value(0) : mutate(validBody[resource](resource === 'wireguardpeer' ? { publicKey: peerKey(round) } : {}));
            const text = JSON.stringify(body) ?? 'null';
            const res = await svc.request(verb, url(resource, verb), text, json);
            const context = `seed ${seed} round ${round}: ${text.slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
            assert.ok(res.status < 500, context);
            assert.match(String(res.headers['content-type']), /^application\/json/, context);
            if (res.status >= 400) assertIonosError(res, res.status);
          }
        });
      }
    }
  });
});
