import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { renderStrongswanConf } from '../../../src/agent/linux/strongswan-conf.ts';
import { generateWireguardKeyPair } from '../../../src/domain/wireguard-keys.ts';
import { eventually, nsExec, sh } from './system.ts';
import type { Topology } from './topology.ts';

export interface RemoteWireguard {
  ifname: string;
  publicKey: string;
}

/**
 * The far end of a WireGuard tunnel: its own wireguard-go in the remote namespace (or `ns`), peered with
 * the gateway's public key (from metadata.publicKey) at its gatewayIP (default 192.0.2.1).
 */
export async function startRemoteWireguard(topology: Topology, options: {
  /** The namespace it runs in; default topology.remote. */
  ns?: string; index: number; dir: string; gatewayPublicKey: string; gatewayIP?: string; gatewayPort: number; address4: string; address6?: string; allowed: string[];
}): Promise<RemoteWireguard> {
  const ifname = `vr${topology.tag}${options.index}`;
  const ns = options.ns ?? topology.remote;
  topology.wireguardInterfaces.push(ifname);
  const keys = generateWireguardKeyPair();
  const keyFile = join(options.dir, `${ifname}.key`);
  writeFileSync(keyFile, `${keys.privateKey}\n`, { mode: 0o600 });
  await nsExec(ns, 'setsid', ['wireguard-go', ifname], { env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' } });
  await nsExec(ns, 'wg', ['set', ifname, 'private-key', keyFile, 'listen-port', String(52000 + options.index),
    'peer', options.gatewayPublicKey, 'allowed-ips', options.allowed.join(','), 'endpoint', `${options.gatewayIP ?? '192.0.2.1'}:${options.gatewayPort}`, 'persistent-keepalive', '1']);
  await sh('ip', ['-n', ns, 'addr', 'add', options.address4, 'dev', ifname]);
  if (options.address6) await sh('ip', ['-n', ns, 'addr', 'add', options.address6, 'dev', ifname, 'nodad']);
  await sh('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
  return { ifname, publicKey: keys.publicKey };
}

export interface RemoteTunnel {
  name: string;
  /** The gateway's gatewayIP; default 192.0.2.1. */
  gatewayAddress?: string;
  localAddress: string;
  localTs: string;
  remoteTs: string;
  psk: string;
  ikeProposal: string;
  espProposal: string;
}

function swanctlConf(tunnels: RemoteTunnel[]): string {
  const conns = tunnels.map((t) => `  ${t.name} {\n    version = 2\n    local_addrs = ${t.localAddress}\n    remote_addrs = ${t.gatewayAddress ?? '192.0.2.1'}\n    proposals = ${t.ikeProposal}\n`
    + `    local {\n      auth = psk\n      id = ${t.localAddress}\n    }\n    remote {\n      auth = psk\n      id = ${t.gatewayAddress ?? '192.0.2.1'}\n    }\n`
    + `    children {\n      ${t.name} {\n        local_ts = ${t.localTs}\n        remote_ts = ${t.remoteTs}\n        esp_proposals = ${t.espProposal}\n      }\n    }\n  }`);
  const secrets = tunnels.map((t) => `  ike-${t.name} {\n    id-local = ${t.localAddress}\n    id-remote = ${t.gatewayAddress ?? '192.0.2.1'}\n    secret = 0s${Buffer.from(t.psk).toString('base64')}\n  }`);
  return `connections {\n${conns.join('\n')}\n}\nsecrets {\n${secrets.join('\n')}\n}\n`;
}

/** The far end of IPSec tunnels: its own charon in the remote namespace, answering the gateway's IKE_SA_INIT. */
export async function startRemoteCharon(topology: Topology, dir: string, tunnels: RemoteTunnel[]): Promise<{ uri: string }> {
  return startRemoteCharonWithConfig(topology, dir, swanctlConf(tunnels));
}

/** A charon in the remote namespace loaded with the given swanctl.conf text (e.g. what `vpngw ipsec tunnel config` prints). */
export async function startRemoteCharonWithConfig(topology: Topology, dir: string, swanctlText: string): Promise<{ uri: string }> {
  const home = join(dir, 'remote-charon');
  mkdirSync(home, { recursive: true });
  const conf = join(home, 'strongswan.conf');
  const socket = join(home, 'charon.vici');
  writeFileSync(conf, renderStrongswanConf({ viciSocket: socket, logFile: join(home, 'charon.log'), backend: 'libipsec' }));
  writeFileSync(join(home, 'swanctl.conf'), swanctlText, { mode: 0o600 });
  const env = { ...process.env, STRONGSWAN_CONF: conf };
  const child = spawn('ip', ['netns', 'exec', topology.remote, 'charon-systemd'], { env, stdio: 'ignore', detached: true });
  child.unref();
  const uri = `unix://${socket}`;
  await eventually('the remote charon to answer', async () => (await sh('swanctl', ['--stats', '--uri', uri], { env, allowFail: true })).includes('uptime'), 15_000);
  await sh('swanctl', ['--load-creds', '--noprompt', '--file', join(home, 'swanctl.conf'), '--uri', uri], { env, allowFail: true });
  await sh('swanctl', ['--load-conns', '--file', join(home, 'swanctl.conf'), '--uri', uri], { env });
  return { uri };
}
