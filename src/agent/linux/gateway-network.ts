import { existsSync } from 'node:fs';
import { FIREWALL_TABLE } from '../../render/gateway-firewall.ts';
import { CommandFailed, Shell, type CommandRunner } from './command-runner.ts';
import { NAMESPACE_SYSCTLS, type ObservedGatewayNamespace, type ObservedHost, type ObservedLink, type Step } from './gateway-network-plan.ts';
import { canonicalInterfaceAddress } from './ip-prefix.ts';

interface IpLinkJson {
  ifname?: string;
  flags?: string[];
  addr_info?: Array<{ local?: string; prefixlen?: number; scope?: string }>;
}

/** Interfaces with their up state and global addresses, from `ip -j addr show`. */
export function parseLinks(text: string): ObservedLink[] {
  return (JSON.parse(text || '[]') as IpLinkJson[]).flatMap((link) => (link.ifname ? [{
    name: link.ifname,
    up: link.flags?.includes('UP') ?? false,
    addresses: (link.addr_info ?? [])
      .filter((a) => a.local !== undefined && a.prefixlen !== undefined && a.scope !== 'link' && a.scope !== 'host')
      .map((a) => canonicalInterfaceAddress(`${a.local}/${a.prefixlen}`)),
  }] : []));
}

/** The first default route with a next hop, from `ip -j route show default`. */
export function parseDefaultRoute(text: string): { via: string; dev: string } | undefined {
  const route = (JSON.parse(text || '[]') as Array<{ gateway?: string; dev?: string }>).find((r) => r.gateway && r.dev);
  return route?.gateway && route.dev ? { via: route.gateway, dev: route.dev } : undefined;
}

/** The rule count and the marker hash of our table, from `nft -j list table inet vpngw`. */
export function parseFirewall(text: string): { hash?: string; ruleCount: number } {
  const items = (JSON.parse(text) as { nftables?: Array<{ rule?: { comment?: string } }> }).nftables ?? [];
  const rules = items.flatMap((item) => (item.rule ? [item.rule] : []));
  const marker = rules.map((r) => /^vpngw ([0-9a-f]+)$/.exec(r.comment ?? '')?.[1]).find(Boolean);
  return { ruleCount: rules.length, ...(marker ? { hash: marker } : {}) };
}

/** Observes and changes the host's namespace and one gateway's namespace; decides nothing itself. */
export class GatewayNetwork {
  private readonly root: Shell;

  constructor(private readonly host: Shell, private readonly runner: CommandRunner) {
    this.root = new Shell(runner, undefined);
  }

  gatewayShell(namespace: string): Shell {
    return new Shell(this.runner, namespace);
  }

  static exists(namespace: string): boolean {
    return existsSync(`/run/netns/${namespace}`);
  }

  async observeHost(): Promise<ObservedHost> {
    const [addresses, routes4, routes6] = await Promise.all([
      this.host.run('ip', ['-j', 'addr', 'show']),
      this.host.run('ip', ['-j', '-4', 'route', 'show', 'default']),
      this.host.run('ip', ['-j', '-6', 'route', 'show', 'default']),
    ]);
    const links = parseLinks(addresses);
    const route = parseDefaultRoute(routes4);
    const route6 = parseDefaultRoute(routes6);
    return { links, ...(route ? { defaultRoute: route } : {}), ...(route6 ? { defaultRoute6: route6 } : {}) };
  }

  /** The namespace's interfaces alone (what live state needs), or none when it is not there. */
  async observeLinks(namespace: string): Promise<ObservedLink[]> {
    if (!GatewayNetwork.exists(namespace)) return [];
    return parseLinks(await this.gatewayShell(namespace).run('ip', ['-j', 'addr', 'show']));
  }

  async observeNamespace(namespace: string): Promise<ObservedGatewayNamespace> {
    if (!GatewayNetwork.exists(namespace)) return { exists: false, links: [], sysctlsSet: false };
    const shell = this.gatewayShell(namespace);
    const [links, sysctls, route, route6, firewall] = await Promise.all([
      shell.run('ip', ['-j', 'addr', 'show']),
      shell.try('sysctl', ['-n', ...NAMESPACE_SYSCTLS.map((s) => s.split('=')[0] ?? '')]),
      shell.run('ip', ['-j', '-4', 'route', 'show', 'default']),
      shell.run('ip', ['-j', '-6', 'route', 'show', 'default']),
      shell.try('nft', ['-j', 'list', 'table', 'inet', FIREWALL_TABLE]),
    ]);
    const via = parseDefaultRoute(route)?.via;
    const via6 = parseDefaultRoute(route6)?.via;
    return {
      exists: true,
      links: parseLinks(links),
      sysctlsSet: sysctls.code === 0 && sysctls.stdout.trim().split('\n').every((v) => v.trim() === '1'),
      ...(via ? { defaultVia: via } : {}),
      ...(via6 ? { defaultVia6: via6 } : {}),
      ...(firewall.code === 0 ? { firewall: parseFirewall(firewall.stdout) } : {}),
    };
  }

  /** Runs the steps in order; the first failure stops the plan (the next pass observes again). */
  async execute(namespace: string, steps: Step[]): Promise<void> {
    const gateway = this.gatewayShell(namespace);
    for (const step of steps) {
      const shell = step.where === 'host' ? this.host : step.where === 'gateway' ? gateway : this.root;
      const result = await shell.try(step.command, step.args, step.input !== undefined ? { input: step.input } : {});
      if (result.code !== 0 && !step.mayFail) throw new CommandFailed(`${step.command} ${step.args.slice(0, 3).join(' ')}`, result);
    }
  }

  /** Ends every process still in the namespace, then deletes it (its legs and tunnel interface go with it). */
  async removeNamespace(namespace: string): Promise<void> {
    if (!GatewayNetwork.exists(namespace)) return;
    const pids = await this.root.try('ip', ['netns', 'pids', namespace]);
    for (const pid of pids.stdout.split('\n').filter((p) => /^\d+$/.test(p.trim()))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await this.root.run('ip', ['netns', 'del', namespace]);
  }
}
