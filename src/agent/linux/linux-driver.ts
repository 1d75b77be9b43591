import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredGateway } from '../../domain/desired-state.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { DataPlaneError, type DataPlaneDriver, type GatewayLiveState, type GatewayRef, type IpsecTunnelLiveState, type LiveStateSource } from '../driver.ts';
import { CharonProcess } from './charon-process.ts';
import { CommandFailed, execRunner, Shell, type CommandRunner } from './command-runner.ts';
import { canonicalAddress } from './ip-prefix.ts';
import { IpsecDataplane } from './ipsec-dataplane.ts';
import { allAddresses } from './link-plan.ts';
import { ipsecConnectionName, wireguardInterfaceName } from './names.ts';
import type { IpsecBackend } from './strongswan-conf.ts';
import type { ObservedIkeSa } from './swanctl-parse.ts';
import { WireguardDataplane } from './wireguard-dataplane.ts';

export interface LinuxDriverOptions {
  /** Where the driver keeps its files (strongswan.conf, swanctl files, what it created). */
  stateDir: string;
  /** Apply inside this existing network namespace instead of the host's. */
  netns?: string;
  ipsecBackend: IpsecBackend;
  runner?: CommandRunner;
}

/**
 * Applies gateways to the Linux host (or one network namespace): WireGuard interfaces through
 * ip(8) and wg(8), IPSec through one strongSwan charon. Holds no state in memory: what it made
 * is found again from the system and a small file, so a restarted service adopts it.
 */
export class LinuxDriver implements DataPlaneDriver, LiveStateSource {
  readonly name = 'linux';
  private readonly shell: Shell;
  private readonly wireguard: WireguardDataplane;
  private readonly ipsec: IpsecDataplane;
  private readonly wireguardListPath: string;

  constructor(private readonly options: LinuxDriverOptions) {
    const runner = options.runner ?? execRunner;
    this.shell = new Shell(runner, options.netns);
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.wireguard = new WireguardDataplane(this.shell, options.stateDir);
    this.ipsec = new IpsecDataplane(new CharonProcess(this.shell, runner, join(options.stateDir, 'ipsec'), options.ipsecBackend));
    this.wireguardListPath = join(options.stateDir, 'wireguard-gateways.json');
  }

  async apply(desired: DesiredGateway): Promise<void> {
    try {
      await this.requireLocalAddress(desired.gatewayIP);
      if (desired.kind === 'wireguard') {
        this.rememberWireguard(desired.id, true);
        await this.wireguard.apply(desired);
      } else {
        await this.ipsec.apply(desired);
      }
    } catch (error) {
      // stderr of ip/wg/swanctl carries no secrets and tells the operator what went wrong.
      if (error instanceof CommandFailed) throw new DataPlaneError(error.message);
      throw error;
    }
  }

  async remove(ref: GatewayRef): Promise<void> {
    if (ref.kind === 'wireguard') {
      await this.wireguard.remove(ref.id);
      this.rememberWireguard(ref.id, false);
    } else {
      await this.ipsec.remove(ref.id);
    }
  }

  async listApplied(): Promise<GatewayRef[]> {
    return [
      ...this.wireguardIds().map((id) => ({ kind: 'wireguard' as const, id })),
      ...this.ipsec.gatewayIds().map((id) => ({ kind: 'ipsec' as const, id })),
    ];
  }

  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    if (ref.kind === 'wireguard') {
      const observed = await this.wireguard.observe(ref.id);
      return {
        kind: 'wireguard', interfaceName: wireguardInterfaceName(ref.id), present: observed !== undefined, listenPort: observed?.listenPort ?? null,
        peers: (observed?.peers ?? []).map((p) => ({
          publicKey: p.publicKey, endpoint: p.endpoint,
          latestHandshake: p.latestHandshake > 0 ? new Date(p.latestHandshake * 1000).toISOString() : null,
          transferRxBytes: p.rxBytes, transferTxBytes: p.txBytes,
        })),
      };
    }
    const sas = await this.ipsec.observeSas();
    return { kind: 'ipsec', charonRunning: sas !== undefined, tunnels: this.ipsec.tunnelIds(ref.id).map((id) => tunnelLiveState(id, sas ?? [])) };
  }

  private async requireLocalAddress(gatewayIP: string) {
    const present = allAddresses(await this.shell.run('ip', ['-j', 'addr', 'show']));
    if (present.includes(canonicalAddress(gatewayIP))) return;
    const where = this.options.netns ? `the network namespace ${this.options.netns}` : 'this host';
    throw new DataPlaneError(`The gatewayIP ${gatewayIP} is not an address of ${where}.`);
  }

  private wireguardIds(): string[] {
    if (!existsSync(this.wireguardListPath)) return [];
    return JSON.parse(readFileSync(this.wireguardListPath, 'utf8')) as string[];
  }

  /** Recorded before the interface is made, so a crash in between still leaves it removable. */
  private rememberWireguard(id: string, present: boolean) {
    const ids = new Set(this.wireguardIds());
    if (ids.has(id) === present) return;
    if (present) ids.add(id);
    else ids.delete(id);
    writeFileAtomic(this.wireguardListPath, JSON.stringify([...ids].sort()));
  }
}

function tunnelLiveState(tunnelId: string, sas: ObservedIkeSa[]): IpsecTunnelLiveState {
  const mine = sas.filter((sa) => sa.connection === ipsecConnectionName(tunnelId));
  const established = mine.find((sa) => sa.state === 'ESTABLISHED');
  const children = mine.flatMap((sa) => sa.children);
  return {
    tunnelId,
    ikeState: established?.state ?? mine[0]?.state ?? null,
    ikeEstablished: established !== undefined,
    childEstablished: children.some((c) => c.state === 'INSTALLED'),
    bytesIn: children.reduce((sum, c) => sum + c.bytesIn, 0),
    bytesOut: children.reduce((sum, c) => sum + c.bytesOut, 0),
  };
}
