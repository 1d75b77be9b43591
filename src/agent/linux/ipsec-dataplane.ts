import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredIpsecGateway } from '../../domain/desired-state.ts';
import { renderSwanctlConfig, tunnelConnectionName } from '../../render/swanctl-config.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { DataPlaneError } from '../driver.ts';
import type { CharonProcess } from './charon-process.ts';

import { planIpsecLoad, tunnelHashes, type LoadedState } from './ipsec-plan.ts';
import { parseConnectionNames, parseIkeSas, type ObservedIkeSa } from './swanctl-parse.ts';


/**
 * One IPSec gateway's tunnels, served by its own charon in the gateway's namespace (IKE needs UDP
 * 500/4500 on the gatewayIP, which only that namespace holds). The rendered swanctl.conf sits
 * beside charon's files; swanctl replaces only changed connections and unloads the rest.
 */
export class IpsecDataplane {
  private readonly confPath: string;
  private readonly loadedPath: string;

  constructor(private readonly charon: CharonProcess) {
    this.confPath = join(charon.dir, 'swanctl.conf');
    this.loadedPath = join(charon.dir, 'loaded.json');
  }

  async apply(gw: DesiredIpsecGateway): Promise<void> {
    const previous = this.readLoaded();
    const pid = await this.charon.ensure();
    const text = renderSwanctlConfig(gw);
    if (!existsSync(this.confPath) || readFileSync(this.confPath, 'utf8') !== text) writeFileAtomic(this.confPath, text);
    const loadedNames = parseConnectionNames((await this.swanctlOk(['--list-conns', '--raw'])).stdout);
    const plan = planIpsecLoad({ wanted: tunnelHashes(gw), loadedNames, previous, charonPid: pid });
    if (plan.reload) {
      await this.swanctlOk(['--load-creds', '--noprompt', '--file', this.confPath]);
      await this.swanctlOk(['--load-conns', '--file', this.confPath]);
      await this.requireLoaded(gw);
    }
    for (const name of plan.terminate) await this.charon.swanctl(['--terminate', '--ike', name, '--force', '--timeout', '2']);
    this.writeLoaded({ charonPid: pid, tunnels: tunnelHashes(gw) });
    await this.initiateIdle(gw);
  }

  /** AVAILABLE means charon answers for every tunnel: what it reports loaded is checked, not assumed. */
  private async requireLoaded(gw: DesiredIpsecGateway) {
    const loaded = new Set(parseConnectionNames((await this.swanctlOk(['--list-conns', '--raw'])).stdout));
    const missing = gw.tunnels.filter((t) => !loaded.has(tunnelConnectionName(t.id))).map((t) => t.id);
    if (missing.length > 0) throw new DataPlaneError(`strongSwan did not load the tunnel(s) ${missing.join(', ')}.`);
  }

  /** Stops the gateway's charon and removes its files, the PSKs with them. */
  async remove(): Promise<void> {
    await this.charon.stop();
    rmSync(this.charon.dir, { recursive: true, force: true });
  }

  /** The tunnels last loaded. */
  tunnelIds(): string[] {
    return Object.keys(this.readLoaded().tunnels).sort();
  }

  /** The IKE_SAs charon has now, or undefined when it is not running. */
  async observeSas(): Promise<ObservedIkeSa[] | undefined> {
    if (!existsSync(this.charon.dir)) return undefined;
    const result = await this.charon.swanctl(['--list-sas', '--raw'], 5_000);
    return result.code === 0 ? parseIkeSas(result.stdout) : undefined;
  }

  /**
   * kernel-libipsec has no trap policies (no acquire from the TUN device), so the gateway starts
   * each tunnel itself; tunnels with an IKE_SA in any state are left alone. Not awaited: an
   * unreachable peer must not slow the pass, and charon keeps trying on its own.
   */
  private async initiateIdle(gw: DesiredIpsecGateway) {
    const sas = (await this.observeSas()) ?? [];
    const busy = new Set(sas.map((sa) => sa.connection));
    for (const tunnel of gw.tunnels) {
      const name = tunnelConnectionName(tunnel.id);
      if (!busy.has(name)) void this.charon.swanctl(['--initiate', '--child', name, '--timeout', '1'], 5_000);
    }
  }

  private async swanctlOk(args: string[]) {
    const result = await this.charon.swanctl(args);
    if (result.code !== 0) {
      const detail = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => l.trim() && !l.startsWith('opening directory')).pop();
      throw new DataPlaneError(`strongSwan rejected the configuration: ${detail?.trim() ?? `swanctl exit ${result.code}`}`);
    }
    return result;
  }

  private readLoaded(): LoadedState {
    if (!existsSync(this.loadedPath)) return { charonPid: 0, tunnels: {} };
    const state = JSON.parse(readFileSync(this.loadedPath, 'utf8')) as Partial<LoadedState>;
    return { charonPid: state.charonPid ?? 0, tunnels: state.tunnels ?? {} };
  }

  private writeLoaded(state: LoadedState) {
    mkdirSync(this.charon.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.loadedPath, JSON.stringify(state));
  }
}
