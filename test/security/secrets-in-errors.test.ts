import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ipsecGateway, ipsecTunnel, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// Fresh per run, so that a hit can only come from these requests.
const PRIVATE_KEY = randomBytes(32).toString('base64');
const PSK = `psk-${randomBytes(24).toString('base64url')}`;
const PASSWORD = `pw-${randomBytes(24).toString('base64url')}`;
const SECRETS: Record<string, string> = { 'private key': PRIVATE_KEY, PSK, password: PASSWORD };
const WINDOW = 16;

/** How a value can be wrong for a field: what the field expects decides which wrong values a client could send. */
type FieldKind = 'format' | 'host' | 'number' | 'text' | 'wireguardKey' | 'psk' | 'password' | 'boolean' | 'array' | 'object';

function invalidValues(secret: string, kind: FieldKind): unknown[] {
  const wrongTypes = [[secret], { value: secret }];
  switch (kind) {
    case 'format': return [secret, secret.slice(0, -1), `${secret}A`, secret.repeat(8), ...wrongTypes];
    // A secret's characters may well make a host name: only a slash, or the length, makes it wrong.
    case 'host': return [`${secret}/`, `/${secret}`, `${secret}.`.repeat(8), ...wrongTypes];
    case 'wireguardKey': return [secret.slice(0, -1), `${secret}A`, `!${secret.slice(1)}`, `${secret} ${secret}`, secret.repeat(8), ...wrongTypes];
    case 'number': case 'boolean': return [secret, ...wrongTypes];
    // Unknown keys of an object are dropped, not refused: an object is wrong only as another type.
    case 'object': return [secret, [secret]];
    case 'array': return [secret, { value: secret }, [{ value: secret }]];
    // Free text is valid at any content: only too long or of the wrong type is refused.
    case 'text': case 'psk': case 'password': return [secret.repeat(40), ...wrongTypes];
  }
}

/** The body with the value at path (dot-separated, numbers index arrays) replaced. */
function withValue(body: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) ?? ''] = value;
  return copy;
}

interface Resource {
  name: string;
  secret: string;
  /** POST and PUT targets. */
  paths: () => { collection: string; item: string };
  body: unknown;
  /** Each field that can hold a wrong value: its path, its kind, and a path to leave out for it (an alternative spelling). */
  fields: Array<[string, FieldKind, string?]>;
}

const gatewayFields: Array<[string, FieldKind]> = [
  ['properties.name', 'text'], ['properties.description', 'text'], ['properties.gatewayIP', 'format'],
  ['properties.connections', 'array'], ['properties.connections.0.datacenterId', 'format'], ['properties.connections.0.lanId', 'format'],
  ['properties.connections.0.ipv4CIDR', 'format'], ['properties.tier', 'format'], ['properties.maintenanceWindow', 'object'],
  ['properties.maintenanceWindow.time', 'format'], ['properties.maintenanceWindow.dayOfTheWeek', 'format'], ['properties', 'object'], ['id', 'format'],
];

describe('no error body, log line or audit record holds a secret sent in an invalid position', () => {
  let svc: TestService;
  let wireguardId = '';
  let ipsecId = '';
  const answers: string[] = [];
  let sent = 0;

  const resources = (): Resource[] => [
    {
      name: 'WireGuard gateway', secret: PRIVATE_KEY, paths: () => ({ collection: '/wireguardgateways', item: `/wireguardgateways/${randomUUID()}` }),
      body: wireguardGateway({ privateKey: PRIVATE_KEY }),
      fields: [...gatewayFields, ['properties.privateKey', 'wireguardKey'], ['properties.interfaceIPv4CIDR', 'format'],
        ['properties.interfaceIPv6CIDR', 'format'], ['properties.listenPort', 'number']],
    },
    {
      name: 'WireGuard peer', secret: PRIVATE_KEY,
      paths: () => ({ collection: `/wireguardgateways/${wireguardId}/peers`, item: `/wireguardgateways/${wireguardId}/peers/${randomUUID()}` }),
      body: wireguardPeer(),
      fields: [['properties.name', 'text'], ['properties.description', 'text'], ['properties.publicKey', 'wireguardKey'],
        ['properties.allowedIPs', 'array'], ['properties.allowedIPs.0', 'format'], ['properties.endpoint', 'object'],
        ['properties.endpoint.host', 'host'], ['properties.endpoint.port', 'number'], ['id', 'format']],
    },
    {
      name: 'IPSec gateway', secret: PSK, paths: () => ({ collection: '/ipsecgateways', item: `/ipsecgateways/${randomUUID()}` }),
      body: ipsecGateway(), fields: [...gatewayFields, ['properties.version', 'format']],
    },
    {
      name: 'IPSec tunnel', secret: PSK,
      paths: () => ({ collection: `/ipsecgateways/${ipsecId}/tunnels`, item: `/ipsecgateways/${ipsecId}/tunnels/${randomUUID()}` }),
      body: ipsecTunnel({ auth: { method: 'PSK', psk: { key: PSK } } }),
      fields: [['properties.name', 'text'], ['properties.description', 'text'], ['properties.remoteHost', 'host'],
        ['properties.auth', 'object'], ['properties.auth.method', 'format'], ['properties.auth.psk', 'object'], ['properties.auth.psk.key', 'psk'],
        ['properties.auth.psk.secret', 'psk', 'properties.auth.psk.key'], ['properties.cloudNetworkCIDRs', 'array'], ['properties.cloudNetworkCIDRs.0', 'format'],
        ['properties.peerNetworkCIDRs.0', 'format'], ['properties.ike', 'object'], ['properties.ike.lifetime', 'number'],
        ['properties.ike.encryptionAlgorithm', 'format'], ['properties.ike.integrityAlgorithm', 'format'], ['properties.esp.diffieHellmanGroup', 'format'],
        ['properties.esp.lifetime', 'number'], ['properties.auth.ike', 'object'], ['properties.ike.encryption', 'format'], ['id', 'format']],
    },
    {
      name: 'user', secret: PASSWORD, paths: () => ({ collection: '/cloudapi/v6/um/users', item: `/cloudapi/v6/um/users/${randomUUID()}` }),
      body: { properties: { email: 'secret-holder@example.com', password: PASSWORD, firstname: 'S', lastname: 'H' } },
      fields: [['properties.password', 'password'], ['properties.email', 'format'], ['properties.firstname', 'text'], ['properties.lastname', 'text'],
        ['properties.administrator', 'boolean'], ['properties.active', 'boolean'], ['properties', 'object']],
    },
  ];

  before(async () => {
    svc = await startTestService();
    wireguardId = (await svc.request('POST', '/wireguardgateways', wireguardGateway())).body.id;
    ipsecId = (await svc.request('POST', '/ipsecgateways', ipsecGateway())).body.id;
    const json = { 'content-type': 'application/json' };
    for (const resource of resources()) {
      for (const [path, kind, without] of resource.fields) {
        for (const value of invalidValues(resource.secret, kind)) {
          const body = withValue(without ? withValue(resource.body, without, undefined) : resource.body, path, value);
          const { collection, item } = resource.paths();
          // A POST body has no id (an unknown field, dropped): only a PUT's is checked.
          const targets = path === 'id' ? [['PUT', item]] as const : [['POST', collection], ['PUT', item]] as const;
          for (const [method, url] of targets) {
            const res = await svc.request(method, url, body);
            sent += 1;
            assert.ok(res.status >= 400 && res.status < 500, `${resource.name} ${method} with ${path} = ${JSON.stringify(value).slice(0, 60)}: ${res.status} ${res.text}`);
            answers.push(res.text);
          }
        }
      }
      // Bodies that are not JSON, broken right after the secret or before it.
      const holding = JSON.stringify(resource.body).includes(resource.secret) ? resource.body : withValue(resource.body, 'properties.description', resource.secret);
      const text = JSON.stringify(holding);
      const at = text.indexOf(resource.secret) + resource.secret.length + 1;
      for (const broken of [`${text.slice(0, at)} X${text.slice(at)}`, text.slice(0, at), `${text.slice(0, at - resource.secret.length - 1)}'${resource.secret}'}}`]) {
        const res = await svc.request('POST', resource.paths().collection, broken, json);
        sent += 1;
        assert.equal(res.status, 400, `${resource.name}, broken JSON: ${res.text}`);
        answers.push(res.text);
      }
    }
  });
  after(async () => { await svc.stop(); });

  /** The first place that holds the secret or any WINDOW characters of it. */
  function leak(haystack: string, secret: string): string | undefined {
    for (let start = 0; start + WINDOW <= secret.length; start += 1) {
      const piece = secret.slice(start, start + WINDOW);
      const at = haystack.indexOf(piece);
      if (at >= 0) return haystack.slice(Math.max(0, at - 80), at + 80);
    }
    return undefined;
  }

  test('every invalid position was tried and refused', () => {
    assert.ok(sent > 400, `${sent} requests`);
    assert.equal(answers.length, sent);
  });

  test('no error body holds a secret or 16 characters of one', () => {
    for (const [what, secret] of Object.entries(SECRETS)) {
      for (const answer of answers) assert.equal(leak(answer, secret), undefined, `an error body holds the ${what}: ${answer.slice(0, 300)}`);
    }
  });

  test('no log line holds a secret or 16 characters of one', () => {
    assert.ok(svc.logs.length > sent, 'the requests were logged');
    for (const [what, secret] of Object.entries(SECRETS)) {
      const line = svc.logs.find((l) => leak(l, secret) !== undefined);
      assert.equal(line, undefined, `a log line holds the ${what}: ${line?.slice(0, 400)}`);
    }
  });

  test('no audit record holds a secret or 16 characters of one', async () => {
    const records = await svc.store.listAuditRecords(31000001, { offset: 0, limit: 100_000 });
    assert.ok(records.items.filter((r) => r.outcome === 'failure').length >= sent, 'every refused write was recorded');
    const text = JSON.stringify(records.items);
    for (const [what, secret] of Object.entries(SECRETS)) assert.equal(leak(text, secret), undefined, `an audit record holds the ${what}`);
  });
});
