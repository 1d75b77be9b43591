import { randomBytes } from 'node:crypto';
import { sh } from './system.ts';
import { cleanupTopology } from './topology.ts';

/** One gateway host of a fleet: its namespace (given to `vpngw agent --netns`), its uplink and its LAN machine. */
export interface FleetHost {
  name: string;
  ns: string;
  /** The host's leg on the shared uplink segment: it holds the host's addresses until gateways take them. */
  uplink: string;
  /** The LAN machine behind this host (192.168.1.10 on every host: each host's LAN is its own). */
  lan: { ns: string; hostInterface: string; address: string };
}

/**
 * A fleet on one machine: a switch namespace with a bridge that is the shared uplink segment
 * (192.0.2.0/24), gateway hosts on it each with their own LAN namespace behind them, and client
 * sites on it (one namespace per WireGuard client, since every client routes 192.168.1.0/24).
 * The gateways' own `vgw-<id>` namespaces are made by the agents; cleanup removes them too.
 */
export interface FleetTopology {
  tag: string;
  /** WireGuard interfaces whose sockets (in /var/run/wireguard, shared by all namespaces) cleanup removes. */
  wireguardInterfaces: string[];
  adoptGateway(gatewayId: string): void;
  /** A host namespace on the segment holding `addresses` (/24), with a LAN machine 192.168.1.10/24 behind it. */
  addHost(name: string, addresses: string[]): Promise<FleetHost>;
  /** A client namespace on the segment at `address` (/24). */
  addSite(address: string): Promise<string>;
  killAtCleanup(pid: number): void;
  cleanup(): Promise<void>;
}

export async function createFleetTopology(): Promise<FleetTopology> {
  const tag = randomBytes(3).toString('hex');
  const namespaces: string[] = [];
  const gatewayIds = new Set<string>();
  const pids: number[] = [];
  let legs = 0;
  const sw = `vpngw-e2e-${tag}-sw`;
  const addNamespace = async (name: string) => {
    namespaces.push(name);
    await sh('ip', ['netns', 'add', name]);
    await sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  };
  /** A veth from `ns` (named `inside`) to a port of the switch's bridge. */
  const plug = async (ns: string, inside: string, address: string) => {
    const port = `fp${tag}${++legs}`;
    await sh('ip', ['link', 'add', inside, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', sw]);
    await sh('ip', ['-n', sw, 'link', 'set', port, 'master', 'br0']);
    await sh('ip', ['-n', sw, 'link', 'set', port, 'up']);
    await sh('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', inside]);
    await sh('ip', ['-n', ns, 'link', 'set', inside, 'up']);
  };
  let hosts = 0;
  let sites = 0;
  const topology: FleetTopology = {
    tag,
    wireguardInterfaces: [],
    adoptGateway: (id) => void gatewayIds.add(id),
    async addHost(name, addresses) {
      const index = ++hosts;
      const ns = await addNamespace(`vpngw-e2e-${tag}-h${index}`);
      const uplink = `fu${tag}h${index}`;
      await plug(ns, uplink, addresses[0] ?? '');
      for (const address of addresses.slice(1)) await sh('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', uplink]);
      const lanNs = await addNamespace(`vpngw-e2e-${tag}-l${index}`);
      const hostInterface = `fl${tag}h${index}`;
      await sh('ip', ['link', 'add', hostInterface, 'netns', ns, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lanNs]);
      await sh('ip', ['-n', lanNs, 'addr', 'add', '192.168.1.10/24', 'dev', 'eth0']);
      await sh('ip', ['-n', lanNs, 'link', 'set', 'eth0', 'up']);
      await sh('ip', ['-n', ns, 'link', 'set', hostInterface, 'up']);
      return { name, ns, uplink, lan: { ns: lanNs, hostInterface, address: '192.168.1.10' } };
    },
    async addSite(address) {
      const ns = await addNamespace(`vpngw-e2e-${tag}-s${++sites}`);
      await plug(ns, 'eth0', address);
      return ns;
    },
    killAtCleanup: (pid) => void pids.push(pid),
    cleanup: () => cleanupTopology(topology, namespaces, [...gatewayIds], pids),
  };
  try {
    await addNamespace(sw);
    await sh('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    await sh('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
  } catch (error) {
    await topology.cleanup();
    throw error;
  }
  return topology;
}
