import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSwanctlClientConfig, type SwanctlClientConfigInput } from '../../src/render/client-swanctl-config.ts';
import { gatewayNetworks, renderWireguardClientConfig, type ClientGatewayView } from '../../src/render/client-wireguard-config.ts';
import { assertGolden } from './golden.ts';

const remotePrivateKey = 'iNEJXWkckRB6k4Xemih9Dawe7dJLptVKgtf1pzf2X3s=';
const gatewayPublicKey = 'BtmARrxI+RD4XSpkNQ5Y2CCmz6YYLw3NSbc3QAYsGx0=';

const gateway: ClientGatewayView = {
  id: '6f1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d',
  publicKey: gatewayPublicKey,
  gatewayIP: '203.0.113.10',
  listenPort: 51820,
  interfaceIPv4CIDR: '192.0.2.1/24',
  interfaceIPv6CIDR: '2001:db8:100::1/64',
  connections: [{ ipv4CIDR: '198.51.100.10/24' }, { ipv4CIDR: '198.51.100.11/24', ipv6CIDR: '2001:db8:200::5/64' }],
};

test('a roaming peer gets a wg-quick file: its addresses, the gateway as endpoint, the gateway networks routed', () => {
  const text = renderWireguardClientConfig({
    gateway, privateKey: remotePrivateKey,
    peer: { id: 'a0000000-0000-4000-8000-000000000001', allowedIPs: ['192.0.2.10/32', '2001:db8:100::10/128'] },
  });
  assertGolden('client-wireguard-roaming.conf', text);
  assert.match(text, /^Address = 192\.0\.2\.10\/32, 2001:db8:100::10\/128$/m);
  assert.match(text, /^Endpoint = 203\.0\.113\.10:51820$/m);
  assert.match(text, /^AllowedIPs = 192\.0\.2\.0\/24, 2001:db8:100::\/64, 198\.51\.100\.0\/24, 2001:db8:200::\/64$/m);
  assert.doesNotMatch(text, /^ListenPort/m, 'a roaming peer dials out and needs no fixed port');
});

test('a site peer listens on its endpoint port; its LAN is not taken as its address', () => {
  const text = renderWireguardClientConfig({
    gateway: { ...gateway, gatewayIP: '2001:db8::1', listenPort: 51821 }, privateKey: remotePrivateKey, persistentKeepalive: 0,
    peer: { id: 'a0000000-0000-4000-8000-000000000002', allowedIPs: ['198.51.100.128/25', '192.0.2.20/32'], endpoint: { host: '203.0.113.20', port: 52000 } },
  });
  assertGolden('client-wireguard-site.conf', text);
  assert.match(text, /^Address = 192\.0\.2\.20\/32$/m);
  assert.match(text, /^ListenPort = 52000$/m);
  assert.match(text, /^Endpoint = \[2001:db8::1\]:51821$/m);
  assert.doesNotMatch(text, /PersistentKeepalive/);
});

test('explicit addresses and allowed IPs win; a peer with no address of its own is refused', () => {
  const peer = { id: 'a0000000-0000-4000-8000-000000000003', allowedIPs: ['198.51.100.0/24'] };
  assert.throws(() => renderWireguardClientConfig({ gateway, peer, privateKey: remotePrivateKey }), /no address of its own/);
  const text = renderWireguardClientConfig({ gateway, peer, privateKey: remotePrivateKey, addresses: ['192.0.2.99/24'], allowedIPs: ['0.0.0.0/0'] });
  assert.match(text, /^Address = 192\.0\.2\.99\/24$/m);
  assert.match(text, /^AllowedIPs = 0\.0\.0\.0\/0$/m);
});

test('a value that could add a directive is refused without echoing the private key', () => {
  const peer = { id: 'a0000000-0000-4000-8000-000000000004', allowedIPs: ['192.0.2.4/32\nPostUp = rm -rf /'] };
  assert.throws(() => renderWireguardClientConfig({ gateway, peer, privateKey: remotePrivateKey, addresses: ['192.0.2.4/32\nPostUp = x'] }), (error: Error) => {
    assert.ok(!error.message.includes(remotePrivateKey));
    return true;
  });
  assert.deepEqual(gatewayNetworks({ ...gateway, connections: [] }), ['192.0.2.0/24', '2001:db8:100::/64']);
});

const tunnel: SwanctlClientConfigInput = {
  gatewayId: '7a1c9a52-3b7e-4d21-9a0c-1e2f3a4b5c6d',
  gatewayIP: '203.0.113.30',
  psk: 'a pre-shared key with spaces # and } braces',
  tunnel: {
    id: 'b0000000-0000-4000-8000-000000000001',
    remoteHost: '198.51.100.7',
    ike: { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA384', lifetime: 28800 },
    esp: { diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', lifetime: 3600 },
    cloudNetworkCIDRs: ['10.1.0.0/24'],
    peerNetworkCIDRs: ['10.2.0.0/24', '10.3.0.0/24'],
  },
};

test('the remote site\'s swanctl.conf mirrors the tunnel: networks swapped, same proposals, PSK in base64', () => {
  const text = renderSwanctlClientConfig(tunnel);
  assertGolden('client-swanctl.conf', text);
  assert.match(text, /local_ts = 10\.2\.0\.0\/24,10\.3\.0\.0\/24/);
  assert.match(text, /remote_ts = 10\.1\.0\.0\/24/);
  assert.match(text, /proposals = aes256gcm16-prfsha384-ecp256/);
  assert.match(text, /esp_proposals = aes256-sha256-modp4096/);
  assert.match(text, /local_addrs = 198\.51\.100\.7/);
  assert.match(text, new RegExp(`secret = 0s${Buffer.from(tunnel.psk).toString('base64').replace(/[+/]/g, '\\$&')}`));
  assert.ok(!text.includes(tunnel.psk), 'the PSK never appears raw');
});

test('an FQDN remote host is an identity only, and an unsafe value is refused', () => {
  const text = renderSwanctlClientConfig({ ...tunnel, tunnel: { ...tunnel.tunnel, remoteHost: 'branch.example.com' } });
  assert.doesNotMatch(text, /local_addrs/);
  assert.match(text, /id = branch\.example\.com/);
  assert.throws(() => renderSwanctlClientConfig({ ...tunnel, tunnel: { ...tunnel.tunnel, peerNetworkCIDRs: ['10.2.0.0/24 }'] } }), /unsafe peer network/);
});
