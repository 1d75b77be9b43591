import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredIpsecGateway } from '../../domain/desired-state.ts';
import { renderSwanctlConfig } from '../../render/swanctl-config.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { DataPlaneError } from '../driver.ts';
import type { CharonProcess } from './charon-process.ts';
import { ipsecConnectionName } from './names.ts';
import { parseConnectionNames, parseIkeSas, type ObservedIkeSa } from './swanctl-parse.ts';
import { endpointClash, ikeEndpoints, planIpsecLoad, tunnelHashes, type LoadedState } from './ipsec-plan.ts';

const GATEWAY_FILE = /^([0-9a-f-]{36})\.conf$/;

/**
 * IPSec gateways in the target namespace, all served by one charon (IKE needs UDP 500/4500
 * to itself). Each gateway's rendered swanctl.conf is kept in its own file; swanctl loads
 * their union, and unloads whatever is in none of them.
 */
export class IpsecDataplane {
  private readonly gatewaysDir: string;
  private readonly loadedPath: string;

  constructor(private readonly charon: CharonProcess) {
    this.gatewaysDir = join(charon.dir, 'gateways');
    this.loadedPath = join(charon.dir, 'loaded.json');
  }

  async apply(gw: DesiredIpsecGateway): Promise<void> {
    const previous = this.readLoaded();
    const endpoints = ikeEndpoints(gw);
    const clash = endpointClash(gw.id, endpoints, previous, this.gatewayIds());
    if (clash) {
      const [local, remote] = clash.split('>');
      throw new DataPlaneError(`Another IPSec gateway on this host already has a tunnel from gatewayIP ${local} to remoteHost ${remote}; IKE cannot tell two such tunnels apart.`);
    }
    const pid = await this.charon.ensure();
    this.writeGatewayFile(gw.id, renderSwanctlConfig(gw));
    const loadedNames = parseConnectionNames((await this.swanctlOk(['--list-conns', '--raw'])).stdout);
    const plan = planIpsecLoad({ gatewayId: gw.id, wanted: tunnelHashes(gw), allWanted: this.allConnectionNames(), loadedNames, previous, charonPid: pid });
    if (plan.reload) await this.loadAll();
    for (const name of plan.terminate) await this.charon.swanctl(['--terminate', '--ike', name, '--force', '--timeout', '2']);
    this.writeLoaded({ charonPid: pid, gateways: { ...previous.gateways, [gw.id]: tunnelHashes(gw) }, endpoints: { ...previous.endpoints, [gw.id]: endpoints } });
    await this.initiateIdle(gw);
  }

  async remove(gatewayId: string): Promise<void> {
    const file = join(this.gatewaysDir, `${gatewayId}.conf`);
    if (!existsSync(file)) return;
    rmSync(file);
    // Rewritten whether or not charon answers: the removed tunnels' PSKs must not stay on disk.
    if (existsSync(this.charon.dir)) this.writeCombined();
    const previous = this.readLoaded();
    const { [gatewayId]: gone, ...rest } = previous.gateways;
    const { [gatewayId]: _endpoints, ...otherEndpoints } = previous.endpoints ?? {};
    if (this.gatewayIds().length === 0) {
      await this.charon.stop(); // nothing left to serve: the whole charon goes
    } else if (await this.charon.isResponding()) {
      await this.loadAll();
      for (const tunnelId of Object.keys(gone ?? {})) await this.charon.swanctl(['--terminate', '--ike', ipsecConnectionName(tunnelId), '--force', '--timeout', '2']);
    }
    this.writeLoaded({ ...previous, gateways: rest, endpoints: otherEndpoints });
  }

  /** The tunnels last loaded for a gateway. */
  tunnelIds(gatewayId: string): string[] {
    return Object.keys(this.readLoaded().gateways[gatewayId] ?? {}).sort();
  }

  gatewayIds(): string[] {
    if (!existsSync(this.gatewaysDir)) return [];
    return readdirSync(this.gatewaysDir).flatMap((name) => GATEWAY_FILE.exec(name)?.[1] ?? []);
  }

  /** The IKE_SAs charon has now, or undefined when it is not running. */
  async observeSas(): Promise<ObservedIkeSa[] | undefined> {
    const result = await this.charon.swanctl(['--list-sas', '--raw'], 5_000);
    return result.code === 0 ? parseIkeSas(result.stdout) : undefined;
  }

  private writeGatewayFile(id: string, text: string) {
    mkdirSync(this.gatewaysDir, { recursive: true, mode: 0o700 });
    const path = join(this.gatewaysDir, `${id}.conf`);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileAtomic(path, text);
  }

  private allConnectionNames(): string[] {
    return this.gatewayIds().flatMap((id) => [...readFileSync(join(this.gatewaysDir, `${id}.conf`), 'utf8').matchAll(/^ {2}(t-[0-9a-f-]{36}) \{$/gm)].map((m) => m[1] ?? ''));
  }

  /** Loads the union of all gateway files: swanctl replaces only changed connections and unloads the rest. */
  private async loadAll() {
    const combined = this.writeCombined();
    await this.swanctlOk(['--load-creds', '--noprompt', '--file', combined]);
    await this.swanctlOk(['--load-conns', '--file', combined]);
  }

  /** The union of the gateways' files, which charon loads; with no gateway left it holds nothing (no stale PSK). */
  private writeCombined(): string {
    const combined = join(this.charon.dir, 'swanctl.conf');
    const text = this.gatewayIds().sort().map((id) => readFileSync(join(this.gatewaysDir, `${id}.conf`), 'utf8')).join('\n');
    writeFileAtomic(combined, text || 'connections {\n}\nsecrets {\n}\n');
    return combined;
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
      const name = ipsecConnectionName(tunnel.id);
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
    if (!existsSync(this.loadedPath)) return { charonPid: 0, gateways: {} };
    return JSON.parse(readFileSync(this.loadedPath, 'utf8')) as LoadedState;
  }

  private writeLoaded(state: LoadedState) {
    writeFileAtomic(this.loadedPath, JSON.stringify(state));
  }
}
