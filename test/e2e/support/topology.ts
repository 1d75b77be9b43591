import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { gatewayNamespaceName, wireguardInterfaceName } from '../../../src/agent/linux/names.ts';
import { killProcessesIn, sh } from './system.ts';

/** A machine on one of the gateway host's LANs: its own namespace, joined to the host by a veth pair. */
export interface Lan {
  ns: string;
  /** The host side of the veth pair: the interface an operator binds the LAN to. */
  hostInterface: string;
  /** The LAN machine's first address (without prefix length). */
  address: string;
}

export interface LanOptions {
  /** Picks the host interface name (`ln<tag><index>`); by default the next free index. */
  index?: number;
  /** The LAN machine's addresses, with prefix length (`192.168.1.10/24`). */
  addresses: string[];
  /** Routes on the LAN machine, e.g. the peer networks via the gateway's connection address. */
  routes?: Array<{ to: string; via: string }>;
}

/**
 * The namespaces of one test: `host` (the gateway host, given to `vpngw serve --netns`), `remote`
 * (the clients' and sites' side of the uplink 192.0.2.0/24), LAN machines behind the host, and
 * further uplink sites. The gateways' own `vgw-<id>` namespaces are made by the service.
 */
export interface Topology {
  tag: string;
  host: string;
  remote: string;
  /** The host's uplink interface: it holds the gatewayIPs until a gateway takes one. */
  uplink: string;
  /** The remote's end of the uplink (192.0.2.2 and the extra remote addresses). */
  remoteUplink: string;
  /** WireGuard interfaces whose sockets (in /var/run/wireguard, shared by all namespaces) cleanup removes. */
  wireguardInterfaces: string[];
  /** Records a gateway the test made, so cleanup also removes its namespace and WireGuard socket. */
  adoptGateway(gatewayId: string): void;
  addLan(options: LanOptions): Promise<Lan>;
  /** The host interface name addLan gives the LAN with this index (to bind a LAN before it exists). */
  lanInterfaceName(index: number): string;
  /** Another client site on the uplink: a namespace with a macvlan of the remote's uplink end. */
  addUplinkSite(address: string): Promise<string>;
  /** Another namespace of the test, `vpngw-e2e-<tag>-<suffix>`, removed at cleanup. */
  addNamespace(suffix: string): Promise<string>;
  /** Kills a process when the test ends (e.g. a listener started inside a gateway's namespace). */
  killAtCleanup(pid: number): void;
  cleanup(): Promise<void>;
}

export interface TopologyOptions {
  /** Addresses (/24) on the host's uplink, for the gateways to take; default 192.0.2.1. */
  gatewayIPs?: string[];
  /** Addresses (/24) of the remote besides 192.0.2.2 (one per IPSec site). */
  remoteAddresses?: string[];
}

export async function createTopology(options: TopologyOptions = {}): Promise<Topology> {
  const tag = randomBytes(3).toString('hex');
  const namespaces: string[] = [];
  const gatewayIds = new Set<string>();
  const pids: number[] = [];
  let lanCount = 0;
  let siteCount = 0;
  const addNamespace = async (name: string) => {
    namespaces.push(name);
    await sh('ip', ['netns', 'add', name]);
    await sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  };
  const topology: Topology = {
    tag, host: `vpngw-e2e-${tag}-host`, remote: `vpngw-e2e-${tag}-rm`, uplink: `up${tag}h`, remoteUplink: `up${tag}r`, wireguardInterfaces: [],
    adoptGateway: (id) => void gatewayIds.add(id),
    lanInterfaceName: (index) => `ln${tag}${index}`,
    async addLan(lan) {
      const index = lan.index ?? ++lanCount;
      lanCount = Math.max(lanCount, index);
      const ns = await addNamespace(`vpngw-e2e-${tag}-lan${index}`);
      const hostInterface = topology.lanInterfaceName(index);
      await sh('ip', ['link', 'add', hostInterface, 'netns', topology.host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      for (const address of lan.addresses) await sh('ip', ['-n', ns, 'addr', 'add', address, 'dev', 'eth0', ...(address.includes(':') ? ['nodad'] : [])]);
      await sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      await sh('ip', ['-n', topology.host, 'link', 'set', hostInterface, 'up']);
      for (const route of lan.routes ?? []) await sh('ip', ['-n', ns, 'route', 'add', route.to, 'via', route.via]);
      return { ns, hostInterface, address: (lan.addresses[0] ?? '').split('/')[0] ?? '' };
    },
    async addUplinkSite(address) {
      const index = ++siteCount;
      const ns = await addNamespace(`vpngw-e2e-${tag}-site${index}`);
      const leg = `us${tag}${index}`;
      // Bridge-mode macvlan: the site reaches the host over the same veth as the remote does.
      await sh('ip', ['-n', topology.remote, 'link', 'add', 'link', topology.remoteUplink, 'name', leg, 'type', 'macvlan', 'mode', 'bridge']);
      await sh('ip', ['-n', topology.remote, 'link', 'set', leg, 'netns', ns]);
      await sh('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', leg]);
      await sh('ip', ['-n', ns, 'link', 'set', leg, 'up']);
      return ns;
    },
    addNamespace: (suffix) => addNamespace(`vpngw-e2e-${tag}-${suffix}`),
    killAtCleanup: (pid) => void pids.push(pid),
    cleanup: async () => cleanupTopology(topology, namespaces, [...gatewayIds], pids),
  };
  try {
    await addNamespace(topology.host);
    await addNamespace(topology.remote);
    // No promote_secondaries here (a fresh namespace, unlike a Debian host, has it off): taking the
    // primary gatewayIP must not take the others with it, which the driver guarantees itself.
    await sh('ip', ['link', 'add', topology.uplink, 'netns', topology.host, 'type', 'veth', 'peer', 'name', topology.remoteUplink, 'netns', topology.remote]);
    for (const address of options.gatewayIPs ?? ['192.0.2.1']) await sh('ip', ['-n', topology.host, 'addr', 'add', `${address}/24`, 'dev', topology.uplink]);
    for (const address of ['192.0.2.2', ...(options.remoteAddresses ?? [])]) await sh('ip', ['-n', topology.remote, 'addr', 'add', `${address}/24`, 'dev', topology.remoteUplink]);
    await sh('ip', ['-n', topology.host, 'link', 'set', topology.uplink, 'up']);
    await sh('ip', ['-n', topology.remote, 'link', 'set', topology.remoteUplink, 'up']);
  } catch (error) {
    await topology.cleanup();
    throw error;
  }
  return topology;
}

/** Ends the processes in a namespace and deletes it; nothing when it is gone already. */
function deleteNamespace(ns: string) {
  killProcessesIn(ns);
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // never created, or already gone
  }
}

/** Kills the test's processes, deletes the gateways' namespaces, then the test's own (newest first), and the WireGuard sockets. */
export async function cleanupTopology(topology: Pick<Topology, 'wireguardInterfaces'>, namespaces: string[], gatewayIds: string[], pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // The gateways' namespaces first: their processes (charon, wireguard-go) hold sockets on the host's legs.
  for (const id of gatewayIds) deleteNamespace(gatewayNamespaceName(id));
  for (const ns of [...namespaces].reverse()) deleteNamespace(ns);
  const sockets = [...topology.wireguardInterfaces, ...gatewayIds.flatMap((id) => wireguardNameOf(id))];
  for (const name of sockets) rmSync(`/var/run/wireguard/${name}.sock`, { force: true });
}

/** The WireGuard interface name of a gateway id (none for a string that is not a UUID). */
function wireguardNameOf(id: string): string[] {
  try {
    return [wireguardInterfaceName(id)];
  } catch {
    return []; // not a UUID: the API refused it, so nothing was made
  }
}

/** Whether a network namespace of this name exists. */
export async function namespaceExists(ns: string): Promise<boolean> {
  return (await sh('ip', ['netns', 'list'])).split('\n').some((line) => line.split(' ')[0] === ns);
}
