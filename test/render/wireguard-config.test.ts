import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DesiredWireguardGateway } from '../../src/domain/desired-state.ts';
import { renderWireguardConfig } from '../../src/render/wireguard-config.ts';
import { assertGolden } from './golden.ts';

const gatewayPrivateKey = 'iNEJXWkckRB6k4Xemih9Dawe7dJLptVKgtf1pzf2X3s=';
const roamingKey = 'KoC/hPG1Xe2TsCbmRro0tER3ujdPtC++Zqw9PF8f3Cc=';
const siteV6Key = '1t50lSvS6aTYQTJj3xZXdanj6iYjdvpb/4ueeZks1g0=';
const siteV4Key = 'BtmARrxI+RD4XSpkNQ5Y2CCmz6YYLw3NSbc3QAYsGx0=';

function gateway(peers: DesiredWireguardGateway['peers']): DesiredWireguardGateway {
  return {
    kind: 'wireguard',
    id: '6f1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d',
    generation: 3,
    gatewayIP: '203.0.113.10',
    listenPort: 51820,
    privateKey: gatewayPrivateKey,
    interfaceIPv4CIDR: '192.0.2.1/24',
    interfaceIPv6CIDR: '2001:db8:100::1/64',
    connections: [],
    peers,
  };
}

// Deliberately not in publicKey order: the rendered file must be.
const threePeers = gateway([
  {
    id: 'a0000000-0000-4000-8000-000000000001',
    publicKey: roamingKey,
    allowedIPs: ['192.0.2.10/32', '2001:db8:100::10/128', '192.0.2.10/32'],
  },
  {
    id: 'a0000000-0000-4000-8000-000000000002',
    publicKey: siteV6Key,
    allowedIPs: ['192.0.2.20/32', '198.51.100.0/24'],
    endpoint: { host: '2001:db8::1', port: 51820 },
  },
  {
    id: 'a0000000-0000-4000-8000-000000000003',
    publicKey: siteV4Key,
    allowedIPs: ['192.0.2.30/32'],
    endpoint: { host: '198.51.100.7', port: 51821 },
  },
]);

test('a gateway with peers renders to the golden wg config, peers sorted by public key', () => {
  const text = renderWireguardConfig(threePeers);
  assertGolden('wireguard-three-peers.conf', text);
  const order = [siteV6Key, siteV4Key, roamingKey].map((key) => text.indexOf(`PublicKey = ${key}`));
  assert.ok(order.every((at) => at > 0), 'every peer is rendered');
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'peers appear in publicKey order');
});

test('a gateway without peers renders only the interface section', () => {
  const text = renderWireguardConfig(gateway([]));
  assertGolden('wireguard-no-peers.conf', text);
  assert.equal(text, `[Interface]\nPrivateKey = ${gatewayPrivateKey}\nListenPort = 51820\n`);
});

test('endpoints: IPv6 host in brackets, IPv4 host plain, absent endpoint omitted', () => {
  const text = renderWireguardConfig(threePeers);
  assert.match(text, /^Endpoint = \[2001:db8::1\]:51820$/m);
  assert.match(text, /^Endpoint = 198\.51\.100\.7:51821$/m);
  assert.equal(text.match(/^Endpoint = /gm)?.length, 2, 'the roaming peer has no Endpoint line');
});

test('allowed IPs keep their order, are comma-space separated and deduplicated', () => {
  const text = renderWireguardConfig(threePeers);
  assert.match(text, /^AllowedIPs = 192\.0\.2\.10\/32, 2001:db8:100::10\/128$/m);
});

test('the config is wg setconf format: no wg-quick keys, no trailing blank line', () => {
  const text = renderWireguardConfig(threePeers);
  assert.doesNotMatch(text, /^(Address|DNS|MTU|PostUp|PreDown|Table)\s*=/m);
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
});

test('rendering is deterministic and independent of the input peer order', () => {
  const reversed = gateway([...threePeers.peers].reverse());
  assert.equal(renderWireguardConfig(threePeers), renderWireguardConfig(threePeers));
  assert.equal(renderWireguardConfig(reversed), renderWireguardConfig(threePeers));
});

test('a value that could inject a directive is refused, without echoing secrets', () => {
  const injected = gateway([
    { id: 'a0000000-0000-4000-8000-000000000009', publicKey: roamingKey, allowedIPs: ['192.0.2.9/32\n[Peer]'] },
  ]);
  assert.throws(() => renderWireguardConfig(injected), (error: Error) => {
    assert.match(error.message, /allowed IP/);
    assert.ok(!error.message.includes(gatewayPrivateKey));
    return true;
  });
});
