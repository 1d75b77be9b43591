import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { hasExecutable } from '../../../src/agent/linux/prerequisites.ts';
import { generateWireguardKeyPair } from '../../../src/domain/wireguard-keys.ts';
import { vpngwCli } from './operator.ts';
import { E2E_ADMIN, type ApiClient, type E2eService } from './service.ts';
import { nsExec, sh } from './system.ts';
import type { Topology } from './topology.ts';
import { isCi } from '../../support/ci.ts';

/** A remote user's WireGuard client: brought up with wg-quick from what `vpngw wireguard peer config` printed. */
export interface WireguardClient {
  ns: string;
  ifname: string;
  peerId: string;
  publicKey: string;
  /** Its tunnel address (the peer's first allowed IP, without prefix length). */
  address: string;
  /** The wg-quick file the CLI printed. */
  config: string;
}

export interface WireguardClientOptions {
  /** The namespace the client runs in (topology.remote or an uplink site). */
  ns: string;
  /** Unique among the test's clients: names the interface `vc<tag><name>`. */
  name: string;
  gatewayId: string;
  allowedIPs: string[];
  /** Where the client listens on the uplink; with it the gateway may dial the client too. */
  endpoint?: { host: string; port: number };
  credentials?: typeof E2E_ADMIN;
}

/** wg-quick is what a remote user runs; without it these tests cannot show the printed file works. */
export function requireWgQuick(t: TestContext): boolean {
  if (hasExecutable('wg-quick')) return true;
  const message = 'this end-to-end test needs wg-quick (Debian package wireguard-tools)';
  if (isCi()) throw new Error(`under CI, ${message}`);
  process.stderr.write(`\n!!! SKIPPING: ${message}\n\n`);
  t.skip(message);
  return false;
}

/** Creates the peer through the API, prints its client file with the CLI and brings it up with wg-quick in `options.ns`. */
export async function startWireguardClient(topology: Pick<Topology, 'tag' | 'wireguardInterfaces'>, svc: E2eService, options: WireguardClientOptions): Promise<WireguardClient> {
  const credentials = options.credentials ?? E2E_ADMIN;
  const client: ApiClient = svc.as(credentials);
  const keys = generateWireguardKeyPair();
  const ifname = `vc${topology.tag}${options.name}`;
  assert.ok(ifname.length <= 15, `${ifname} is a valid interface name`);
  const keyFile = join(svc.dataDir, `${ifname}.key`);
  writeFileSync(keyFile, `${keys.privateKey}\n`, { mode: 0o600 });
  const created = await client.request('POST', `/wireguardgateways/${options.gatewayId}/peers`, { properties: {
    name: options.name, allowedIPs: options.allowedIPs, publicKey: keys.publicKey, ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const peerId = created.body.id as string;
  const config = (await vpngwCli(svc, credentials)(['wireguard', 'peer', 'config', options.gatewayId, peerId, '--private-key-file', keyFile])).stdout;
  // wg-quick names the interface after the file; the name must be unique on the host (wireguard-go sockets).
  topology.wireguardInterfaces.push(ifname);
  const file = join(svc.dataDir, `${ifname}.conf`);
  writeFileSync(file, config, { mode: 0o600 });
  await nsExec(options.ns, 'wg-quick', ['up', file], { env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' } });
  const address = (options.allowedIPs[0] ?? '').split('/')[0] ?? '';
  return { ns: options.ns, ifname, peerId, publicKey: keys.publicKey, address, config };
}

/** Adds a second, forged address to the client's tunnel interface (one outside its allowed IPs). */
export async function addForgedAddress(client: WireguardClient, cidr: string): Promise<void> {
  await sh('ip', ['-n', client.ns, 'addr', 'add', cidr, 'dev', client.ifname]);
}

/** The peer's latest handshake (seconds since the epoch) as the gateway's interface knows it; 0 for none. */
export async function latestHandshake(gatewayNs: string, ifname: string, peerKey: string): Promise<number> {
  const line = (await nsExec(gatewayNs, 'wg', ['show', ifname, 'latest-handshakes'])).split('\n').find((l) => l.startsWith(peerKey));
  return Number(line?.split('\t')[1] ?? 0);
}
