import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DesiredIpsecGateway, DesiredIpsecTunnel } from '../../src/domain/desired-state.ts';
import type { Security } from '../../src/schemas/ipsec.ts';
import { renderedConfigHash } from '../../src/render/config-hash.ts';
import { renderSwanctlConfig } from '../../src/render/swanctl-config.ts';
import { assertGolden } from './golden.ts';

const ikeDefault: Security = {
  diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256', lifetime: 86400,
};
const espDefault: Security = { ...ikeDefault, lifetime: 3600 };

function tunnel(overrides: Partial<DesiredIpsecTunnel> = {}): DesiredIpsecTunnel {
  return {
    id: 'b0000000-0000-4000-8000-000000000001',
    remoteHost: '198.51.100.20',
    psk: 'correct-horse-battery-staple',
    ike: ikeDefault,
    esp: espDefault,
    cloudNetworkCIDRs: ['192.0.2.0/25'],
    peerNetworkCIDRs: ['198.51.100.128/25'],
    ...overrides,
  };
}

function gateway(tunnels: DesiredIpsecTunnel[]): DesiredIpsecGateway {
  return { kind: 'ipsec', id: '7a2d0c11-5e4f-4b3a-8c9d-0e1f2a3b4c5d', generation: 1, gatewayIP: '203.0.113.5', connections: [], tunnels };
}

const families: Array<{ file: string; ike: Security; esp: Security; ikeProposal: string; espProposal: string }> = [
  {
    file: 'ipsec-cbc.swanctl.conf', ike: ikeDefault, esp: espDefault,
    ikeProposal: 'aes256-sha256-modp4096', espProposal: 'aes256-sha256-modp4096',
  },
  {
    file: 'ipsec-ctr.swanctl.conf',
    ike: { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES128-CTR', integrityAlgorithm: 'SHA384', lifetime: 28800 },
    esp: { diffieHellmanGroup: '15-MODP3072', encryptionAlgorithm: 'AES256-CTR', integrityAlgorithm: 'SHA512', lifetime: 7200 },
    ikeProposal: 'aes128ctr-sha384-ecp256', espProposal: 'aes256ctr-sha512-modp3072',
  },
  {
    file: 'ipsec-gcm.swanctl.conf',
    ike: { diffieHellmanGroup: '20-ECP384', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA384', lifetime: 43200 },
    esp: { diffieHellmanGroup: '21-ECP521', encryptionAlgorithm: 'AES128-GCM-12', integrityAlgorithm: 'SHA256', lifetime: 3600 },
    ikeProposal: 'aes256gcm16-prfsha384-ecp384', espProposal: 'aes128gcm12-ecp521',
  },
  {
    file: 'ipsec-ccm.swanctl.conf',
    ike: { diffieHellmanGroup: '30-ECP512BP', encryptionAlgorithm: 'AES256-CCM-12', integrityAlgorithm: 'AES-XCBC', lifetime: 86400 },
    esp: { diffieHellmanGroup: '28-ECP256BP', encryptionAlgorithm: 'AES128-CCM-12', integrityAlgorithm: 'SHA512', lifetime: 5000 },
    ikeProposal: 'aes256ccm12-prfaesxcbc-ecp512bp', espProposal: 'aes128ccm12-ecp256bp',
  },
];

for (const family of families) {
  test(`a tunnel renders to golden ${family.file}`, () => {
    const text = renderSwanctlConfig(gateway([tunnel({ ike: family.ike, esp: family.esp })]));
    assertGolden(family.file, text);
    assert.match(text, new RegExp(`^ {4}proposals = ${family.ikeProposal}$`, 'm'));
    assert.match(text, new RegExp(`^ {8}esp_proposals = ${family.espProposal}$`, 'm'));
  });
}

test('lifetimes: rekey at 90%, IKE over_time makes up the rest, ESP life_time is the lifetime', () => {
  const text = renderSwanctlConfig(gateway([tunnel({ ike: { ...ikeDefault, lifetime: 3601 }, esp: { ...espDefault, lifetime: 5000 } })]));
  assert.match(text, /^ {4}rekey_time = 3240s\n {4}over_time = 361s$/m);
  assert.match(text, /^ {8}rekey_time = 4500s\n {8}life_time = 5000s$/m);
});

test('several tunnels: sorted by id, each with its own connection, child and secret', () => {
  const second = tunnel({
    id: 'b0000000-0000-4000-8000-000000000002',
    remoteHost: 'vpn.example.com',
    psk: 'another shared secret',
    cloudNetworkCIDRs: ['192.0.2.0/25', '192.0.2.128/26'],
    peerNetworkCIDRs: ['198.51.100.0/26', '198.51.100.64/26'],
  });
  const text = renderSwanctlConfig(gateway([second, tunnel()]));
  assertGolden('ipsec-two-tunnels.swanctl.conf', text);
  assert.ok(text.indexOf('t-b0000000-0000-4000-8000-000000000001 {') < text.indexOf('t-b0000000-0000-4000-8000-000000000002 {'));
  assert.match(text, /^ {8}local_ts = 192\.0\.2\.0\/25,192\.0\.2\.128\/26$/m);
  assert.match(text, /^ {6}id = vpn\.example\.com$/m);
  assert.equal(text.match(/^ {2}ike-b0000000-/gm)?.length, 2);
});

test('no tunnels still renders both (empty) sections', () => {
  const text = renderSwanctlConfig(gateway([]));
  assertGolden('ipsec-no-tunnels.swanctl.conf', text);
  assert.equal(text, 'connections {\n}\n\nsecrets {\n}\n');
});

test('a PSK with a newline, quotes and braces appears only in 0s-base64 form', () => {
  const psk = 'x"y\'z\n}\n}\nconnections { evil { remote_addrs = %any } }\n# {';
  const text = renderSwanctlConfig(gateway([tunnel({ psk })]));
  assert.ok(!text.includes(psk), 'the raw PSK is absent');
  assert.ok(!text.includes('evil') && !text.includes('%any'), 'no fragment of the PSK leaks');
  const secret = text.match(/^ {4}secret = 0s([A-Za-z0-9+/=]+)$/m)?.[1];
  assert.ok(secret, 'the secret is a single 0s-base64 line');
  assert.equal(Buffer.from(secret, 'base64').toString('utf8'), psk);
  assert.equal(text.split('{').length, text.split('}').length, 'braces stay balanced');
});

test('rendering is deterministic, independent of tunnel order, and hashes stably', () => {
  const a = tunnel();
  const b = tunnel({ id: 'b0000000-0000-4000-8000-000000000002', remoteHost: '198.51.100.21' });
  const text = renderSwanctlConfig(gateway([a, b]));
  assert.equal(renderSwanctlConfig(gateway([a, b])), text);
  assert.equal(renderSwanctlConfig(gateway([b, a])), text);
  assert.match(renderedConfigHash(text), /^[0-9a-f]{64}$/);
  assert.equal(renderedConfigHash(renderSwanctlConfig(gateway([b, a]))), renderedConfigHash(text));
  assert.notEqual(renderedConfigHash(renderSwanctlConfig(gateway([a]))), renderedConfigHash(text));
});

test('a remote host that could open a section is refused', () => {
  assert.throws(() => renderSwanctlConfig(gateway([tunnel({ remoteHost: '198.51.100.20\n}' })])), /remote host/);
});
