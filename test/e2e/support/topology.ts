import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { killProcessesIn, sh } from './system.ts';

/** A pair of namespaces joined by a veth pair on 192.0.2.0/24: `gw` (192.0.2.1) and `remote` (192.0.2.2 and extra addresses). */
export interface Topology {
  tag: string;
  gw: string;
  remote: string;
  /** WireGuard interfaces made in the namespaces (their sockets live on the host and are removed at cleanup). */
  wireguardInterfaces: string[];
  cleanup(): Promise<void>;
}

/** Builds the namespaces; `remoteAddresses` beyond 192.0.2.2 go on the remote's veth too (one per IPSec peer). */
export async function createTopology(extraRemoteAddresses: string[] = []): Promise<Topology> {
  const tag = randomBytes(3).toString('hex');
  const topology: Topology = {
    tag, gw: `vpngw-e2e-${tag}-gw`, remote: `vpngw-e2e-${tag}-rm`, wireguardInterfaces: [],
    cleanup: async () => cleanupTopology(topology),
  };
  try {
    await sh('ip', ['netns', 'add', topology.gw]);
    await sh('ip', ['netns', 'add', topology.remote]);
    await sh('ip', ['link', 'add', `ve${tag}g`, 'netns', topology.gw, 'type', 'veth', 'peer', 'name', `ve${tag}r`, 'netns', topology.remote]);
    await sh('ip', ['-n', topology.gw, 'addr', 'add', '192.0.2.1/24', 'dev', `ve${tag}g`]);
    for (const address of ['192.0.2.2', ...extraRemoteAddresses]) await sh('ip', ['-n', topology.remote, 'addr', 'add', `${address}/24`, 'dev', `ve${tag}r`]);
    for (const [ns, dev] of [[topology.gw, `ve${tag}g`], [topology.remote, `ve${tag}r`]] as const) {
      await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  } catch (error) {
    await cleanupTopology(topology);
    throw error;
  }
  return topology;
}

async function cleanupTopology(topology: Topology) {
  for (const ns of [topology.gw, topology.remote]) {
    killProcessesIn(ns);
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // never created, or already gone
    }
  }
  for (const name of topology.wireguardInterfaces) rmSync(`/var/run/wireguard/${name}.sock`, { force: true });
}
