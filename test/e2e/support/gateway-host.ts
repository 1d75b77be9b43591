import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayNamespaceName, lanLegName, uplinkLegName, wireguardInterfaceName } from '../../../src/agent/linux/names.ts';
import type { E2eService } from './service.ts';
import { sh } from './system.ts';
import { namespaceExists, type Topology } from './topology.ts';

/** What a gateway is on the host, by the names the driver gives it. */
export interface GatewayFootprint {
  id: string;
  kind: 'wireguard' | 'ipsec';
  connections: Array<{ datacenterId: string; lanId: string }>;
}

export const gatewayNs = (id: string) => gatewayNamespaceName(id);

/** Interface names in a namespace. */
export async function linkNames(ns: string): Promise<string[]> {
  return (JSON.parse(await sh('ip', ['-n', ns, '-j', 'link', 'show'])) as Array<{ ifname: string }>).map((link) => link.ifname);
}

/** The IPv4/IPv6 addresses (`a.b.c.d/len`) on one interface of a namespace; none when it is missing. */
export async function interfaceAddresses(ns: string, ifname: string): Promise<string[]> {
  const out = await sh('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', ifname], { allowFail: true });
  if (!out.trim()) return [];
  const links = JSON.parse(out) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((link) => link.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
}

/** The pids of processes whose command line or namespace ties them to the gateway: its wireguard-go, its charon. */
export function gatewayProcesses(svc: E2eService, gateway: Pick<GatewayFootprint, 'id' | 'kind'>): number[] {
  const markers = gateway.kind === 'wireguard' ? [wireguardInterfaceName(gateway.id)] : [join(svc.dataDir, 'linux', 'ipsec', gateway.id)];
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    try {
      const text = `${readFileSync(`/proc/${pid}/cmdline`, 'utf8')}\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}`;
      if (markers.some((marker) => text.includes(marker))) pids.push(pid);
    } catch {
      // gone already
    }
  }
  return pids;
}

/** The pid of the gateway's charon (it runs in the gateway's namespace, under unshare). */
export function charonPid(svc: E2eService, gatewayId: string): number | undefined {
  return gatewayProcesses(svc, { id: gatewayId, kind: 'ipsec' }).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('charon');
    } catch {
      return false;
    }
  });
}

export function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isDirectory() ? [path, ...filesUnder(path)] : stat ? [path] : [];
  });
}

/**
 * Everything of the gateway still on the host, described in words (empty when nothing is left):
 * its namespace, its legs or tunnel interface in the host namespace, its processes, its files.
 */
export async function gatewayLeftovers(svc: E2eService, topology: Topology, gateway: GatewayFootprint): Promise<string[]> {
  const left: string[] = [];
  if (await namespaceExists(gatewayNs(gateway.id))) left.push(`namespace ${gatewayNs(gateway.id)}`);
  const legs = [uplinkLegName(gateway.id), wireguardInterfaceName(gateway.id), ...gateway.connections.map((c) => lanLegName(gateway.id, c.datacenterId, c.lanId))];
  for (const name of await linkNames(topology.host)) if (legs.includes(name)) left.push(`interface ${name} in the host namespace`);
  for (const pid of gatewayProcesses(svc, gateway)) left.push(`process ${pid} (${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()})`);
  const names = [gateway.id, wireguardInterfaceName(gateway.id)];
  for (const path of filesUnder(join(svc.dataDir, 'linux'))) if (names.some((name) => path.includes(name))) left.push(`file ${path}`);
  return left;
}

/** Waits until nothing of the gateway is left on the host; fails naming what stayed. */
export async function expectNothingLeft(svc: E2eService, topology: Topology, gateway: GatewayFootprint, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = await gatewayLeftovers(svc, topology, gateway);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    left = await gatewayLeftovers(svc, topology, gateway);
  }
  assert.deepEqual(left, [], `the deleted ${gateway.kind} gateway ${gateway.id} left things behind`);
}
