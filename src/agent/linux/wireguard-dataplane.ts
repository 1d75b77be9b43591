import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import type { DesiredWireguardGateway } from '../../domain/desired-state.ts';
import { wireguardPublicKey } from '../../domain/wireguard-keys.ts';
import { DataPlaneError } from '../driver.ts';
import type { Shell } from './command-runner.ts';
import { desiredInterfaceAddresses, desiredRoutes, diffSets, parseIpAddrJson } from './link-plan.ts';
import { ipChange, lastLine, syncRoutes } from './routes.ts';
import { wireguardInterfaceName } from './names.ts';
import { isEmptyPlan, parseWgDump, planWireguard, wgSetArgs, type ObservedWireguard } from './wireguard-plan.ts';

/** Where wireguard-go keeps its control sockets, shared by every namespace of the host. */
export const WIREGUARD_SOCKET_DIR = '/var/run/wireguard';

/** The file a private key sits in for the moment of a `wg set` (Node's pipes cannot be wg's /dev/stdin). */
export const WIREGUARD_KEY_FILE = /^vg[0-9a-f]{13}\.key$/;

/** A gateway's WireGuard interface in its namespace: kernel module when present, else wireguard-go started there. */
export class WireguardDataplane {
  /** keyDir: a 0700 directory for the moment a private key sits in a file for `wg set`. */
  constructor(private readonly shell: Shell, private readonly keyDir: string) {}

  /** Brings the gateway's interface to the desired state; each step observes first and changes only differences. */
  async apply(gw: DesiredWireguardGateway): Promise<void> {
    const ifname = wireguardInterfaceName(gw.id);
    await this.ensureLink(ifname);
    await this.applyConfig(ifname, gw);
    await this.applyAddresses(ifname, gw);
    await this.ensureUp(ifname);
    await syncRoutes(this.shell, ifname, desiredRoutes(gw));
  }

  /** Deletes the interface; wireguard-go exits by itself when its device goes away. */
  async remove(gatewayId: string): Promise<void> {
    const ifname = wireguardInterfaceName(gatewayId);
    if (await this.linkExists(ifname)) await this.shell.run('ip', ['link', 'del', 'dev', ifname]);
    rmSync(`${WIREGUARD_SOCKET_DIR}/${ifname}.sock`, { force: true });
  }

  /** What `wg show` reports now, or undefined when the interface is not there. */
  async observe(gatewayId: string): Promise<ObservedWireguard | undefined> {
    const result = await this.shell.try('wg', ['show', wireguardInterfaceName(gatewayId), 'dump']);
    return result.code === 0 ? parseWgDump(result.stdout) : undefined;
  }

  private async linkExists(ifname: string): Promise<boolean> {
    return (await this.shell.try('ip', ['link', 'show', 'dev', ifname])).code === 0;
  }

  private async ensureLink(ifname: string) {
    if (await this.linkExists(ifname)) return;
    // A killed wireguard-go leaves its socket behind; a new one could not listen on it.
    rmSync(`${WIREGUARD_SOCKET_DIR}/${ifname}.sock`, { force: true });
    const kernel = await this.shell.try('ip', ['link', 'add', 'dev', ifname, 'type', 'wireguard']);
    if (kernel.code === 0) return;
    // No LOG_LEVEL (the runner passes only the tools' environment): with it wireguard-go's daemon
    // would keep our pipes open. Its own session: stopping the service leaves the tunnels up.
    const started = await this.shell.try('setsid', ['wireguard-go', ifname], { env: { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' } });
    if (started.code !== 0 || !(await this.linkExists(ifname))) {
      throw new DataPlaneError(`Could not create the WireGuard interface ${ifname}: ${lastLine(started.stderr || kernel.stderr)}`);
    }
  }

  private async applyConfig(ifname: string, gw: DesiredWireguardGateway) {
    const observed = parseWgDump(await this.shell.run('wg', ['show', ifname, 'dump']));
    const plan = planWireguard(gw, wireguardPublicKey(gw.privateKey), observed);
    if (isEmptyPlan(plan)) return;
    // Node's stdio pipes are sockets, which wg cannot fopen as /dev/stdin: the key goes through a 0600 file.
    const keyFile = join(this.keyDir, `${ifname}.key`);
    if (plan.setPrivateKey) writeFileAtomic(keyFile, `${gw.privateKey}\n`);
    const result = await this.shell.try('wg', wgSetArgs(ifname, plan, keyFile)).finally(() => rmSync(keyFile, { force: true }));
    if (result.code === 0) return;
    if (/address already in use/i.test(result.stderr)) {
      throw new DataPlaneError(`The listen port ${gw.listenPort} is already in use on this host.`);
    }
    throw new DataPlaneError(`Could not configure WireGuard: ${lastLine(result.stderr)}`);
  }

  private async applyAddresses(ifname: string, gw: DesiredWireguardGateway) {
    const present = parseIpAddrJson(await this.shell.run('ip', ['-j', 'addr', 'show', 'dev', ifname]));
    const change = diffSets(desiredInterfaceAddresses(gw), present);
    for (const cidr of change.remove) await this.shell.run('ip', ['addr', 'del', cidr, 'dev', ifname]);
    for (const cidr of change.add) {
      // nodad: the address is usable at once instead of after duplicate detection.
      await ipChange(this.shell, ['addr', 'add', cidr, 'dev', ifname, ...(cidr.includes(':') ? ['nodad'] : [])], `the interface address ${cidr}`);
    }
  }

  private async ensureUp(ifname: string) {
    const links = JSON.parse(await this.shell.run('ip', ['-j', 'link', 'show', 'dev', ifname])) as Array<{ flags?: string[] }>;
    if (!links[0]?.flags?.includes('UP')) await this.shell.run('ip', ['link', 'set', 'dev', ifname, 'up']);
  }
}
