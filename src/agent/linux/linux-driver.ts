import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { DesiredGateway } from '../../domain/desired-state.ts';
import { tunnelConnectionName } from '../../render/swanctl-config.ts';
import { DataPlaneError, type DataPlaneDriver, type GatewayLiveState, type GatewayRef, type IpsecTunnelLiveState, type LanLiveState, type LiveStateSource } from '../driver.ts';
import { cloudNetworkWithoutLanAddress, gatewayLayout, type LanLeg } from '../gateway-layout.ts';
import { CharonProcess } from './charon-process.ts';
import { CommandFailed, execRunner, Shell, type CommandRunner } from './command-runner.ts';
import { planGatewayNetwork, type ObservedHost } from './gateway-network-plan.ts';
import { GatewayNetwork } from './gateway-network.ts';
import { GatewayRecords } from './gateway-records.ts';
import type { DelegatedBlock } from './delegated-blocks.ts';
import { IpsecDataplane } from './ipsec-dataplane.ts';
import { gatewayNamespaceName, wireguardInterfaceName } from './names.ts';
import { removeLegacyLayout } from './legacy-layout.ts';
import { missingPrerequisites } from './prerequisites.ts';
import { killExactCommand } from './process-table.ts';
import type { IpsecBackend } from './strongswan-conf.ts';
import type { ObservedIkeSa } from './swanctl-parse.ts';
import { giveBackSteps, relinkSteps, resolveUplink } from './uplink-lease.ts';
import { WireguardDataplane, WIREGUARD_KEY_FILE, WIREGUARD_SOCKET_DIR } from './wireguard-dataplane.ts';
import { ATOMIC_TEMP_FILE, removeFilesMatching } from '../../util/atomic-file.ts';

export interface LinuxDriverOptions {
  /** Where the driver keeps its files (its record of gateways, charons' files, key files for a moment). */
  stateDir: string;
  /** The namespace that plays the gateway host (uplink and LAN interfaces) instead of the host's own. */
  netns?: string;
  ipsecBackend: IpsecBackend;
  /** Address blocks delegated to this host: a gatewayIP no interface holds is assigned from them. */
  delegatedBlocks?: DelegatedBlock[];
  runner?: CommandRunner;
}

/** Refuses a gateway whose LAN is bound to no interface, or to one this host lacks, naming the LAN. */
function requireLanInterfaces(legs: LanLeg[], host: ObservedHost) {
  for (const leg of legs) {
    const lan = `LAN ${leg.lanId} of datacenter ${leg.datacenterId}`;
    if (!leg.hostInterface) throw new DataPlaneError(`The ${lan} is not bound to an interface on this host (vpngw lan bind).`);
    if (!host.links.some((l) => l.name === leg.hostInterface)) throw new DataPlaneError(`The interface ${leg.hostInterface} of the ${lan} is missing on this host.`);
  }
}

/**
 * Applies each gateway as its own small router: a network namespace holding its gatewayIP (a
 * macvlan leg of the host interface that had it, or of a delegated block's interface), one macvlan
 * leg per LAN, a firewall admitting only what its resources declare, and its tunnels (a WireGuard interface, or its own charon).
 * Holds no state in memory: a restarted service finds everything again from the system and a file.
 */
export class LinuxDriver implements DataPlaneDriver, LiveStateSource {
  readonly name = 'linux';
  /**
   * Gateways apply side by side, so one charon starting holds up no other; what touches the host
   * (observing it, leasing gatewayIPs, moving addresses and legs, the record file) runs one gateway at
   * a time under hostWide, and each gateway's own namespace and tunnels outside it.
   */
  readonly parallelApplies = 4;
  private readonly hostWide = pLimit(1);
  private readonly runner: CommandRunner;
  private readonly network: GatewayNetwork;
  private readonly records: GatewayRecords;
  private legacyRemoved: Promise<void> | undefined;

  constructor(private readonly options: LinuxDriverOptions) {
    this.runner = options.runner ?? execRunner;
    this.network = new GatewayNetwork(new Shell(this.runner, options.netns), this.runner);
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.records = new GatewayRecords(join(options.stateDir, 'gateways.json'));
  }

  /** The tools, plugins, device and namespace `vpngw serve` checked at start, checked again (file lookups only). */
  missingPrerequisites(): string[] {
    return missingPrerequisites({ ipsecBackend: this.options.ipsecBackend, ...(this.options.netns ? { netns: this.options.netns } : {}) })
      .map((what) => `${what} missing`);
  }

  async apply(desired: DesiredGateway): Promise<void> {
    try {
      await this.applyGateway(desired);
    } catch (error) {
      // stderr of ip/nft/wg/swanctl carries no secrets and tells the operator what went wrong.
      if (error instanceof CommandFailed) throw new DataPlaneError(error.message);
      throw error;
    }
  }

  private async applyGateway(desired: DesiredGateway) {
    await this.withoutLegacyLayout();
    await this.hostWide(() => this.applyNetwork(desired));
    if (desired.kind === 'wireguard') await this.wireguard(desired.id).apply(desired);
    else await this.ipsec(desired.id).apply(desired);
  }

  /** The gateway's namespace, legs, addresses and firewall, and its uplink lease; see hostWide. */
  private async applyNetwork(desired: DesiredGateway) {
    const layout = gatewayLayout(desired, this.options.ipsecBackend);
    const host = await this.network.observeHost();
    requireLanInterfaces(layout.lanLegs, host);
    const unroutable = this.options.ipsecBackend === 'libipsec' ? cloudNetworkWithoutLanAddress(desired, layout.lanLegs) : undefined;
    if (unroutable) {
      throw new DataPlaneError(`The tunnel ${unroutable.tunnelId} has the cloudNetworkCIDR ${unroutable.cidr}, which holds none of the gateway's LAN addresses (its connections); each cloud network must hold one.`);
    }
    const leases = this.records.leases();
    const decision = resolveUplink(desired.id, desired.gatewayIP, leases, host, this.options.delegatedBlocks);
    if ('error' in decision) throw new DataPlaneError(decision.error);
    const lans = layout.lanLegs.map((l) => ({ datacenterId: l.datacenterId, lanId: l.lanId, interfaceName: l.name }));
    this.records.put(desired.id, { kind: desired.kind, uplink: decision.lease, lans });
    if (!GatewayNetwork.exists(layout.namespace)) await this.stopLostProcesses(desired.kind, desired.id);
    else await this.network.execute(layout.namespace, relinkSteps(leases[desired.id], decision.lease, layout.uplinkLeg));
    const observed = await this.network.observeNamespace(layout.namespace);
    const giveBack = decision.giveBack ? giveBackSteps(decision.giveBack, host) : [];
    await this.network.execute(layout.namespace, [...giveBack, ...planGatewayNetwork(layout, decision.lease, host, observed)]);
  }

  async remove(ref: GatewayRef): Promise<void> {
    await this.withoutLegacyLayout();
    if (ref.kind === 'ipsec') await this.ipsec(ref.id).remove();
    await this.hostWide(async () => {
      const record = this.records.all()[ref.id];
      await this.network.removeNamespace(gatewayNamespaceName(ref.id));
      await this.stopLostProcesses(ref.kind, ref.id);
      if (record?.uplink) {
        const host = await this.network.observeHost();
        await this.network.execute(gatewayNamespaceName(ref.id), giveBackSteps(record.uplink, host));
      }
      this.records.delete(ref.id);
    });
  }

  async sweepInterruptedWrites(): Promise<void> {
    removeFilesMatching(this.options.stateDir, ATOMIC_TEMP_FILE);
    removeFilesMatching(this.options.stateDir, WIREGUARD_KEY_FILE);
  }

  async listApplied(): Promise<GatewayRef[]> {
    return Object.entries(this.records.all()).map(([id, r]) => ({ kind: r.kind, id }));
  }

  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    const namespace = gatewayNamespaceName(ref.id);
    const exists = GatewayNetwork.exists(namespace);
    const links = exists ? await this.network.observeLinks(namespace) : [];
    const lans: LanLiveState[] = (this.records.all()[ref.id]?.lans ?? []).map((lan) => {
      const link = links.find((l) => l.name === lan.interfaceName);
      return { ...lan, present: link?.up ?? false, addresses: link?.addresses ?? [] };
    });
    if (ref.kind === 'wireguard') {
      const observed = exists ? await this.wireguard(ref.id).observe(ref.id) : undefined;
      return {
        kind: 'wireguard', namespace, interfaceName: wireguardInterfaceName(ref.id), present: observed !== undefined, listenPort: observed?.listenPort ?? null, lans,
        peers: (observed?.peers ?? []).map((p) => ({
          publicKey: p.publicKey, endpoint: p.endpoint,
          latestHandshake: p.latestHandshake > 0 ? new Date(p.latestHandshake * 1000).toISOString() : null,
          transferRxBytes: p.rxBytes, transferTxBytes: p.txBytes,
        })),
      };
    }
    const ipsec = this.ipsec(ref.id);
    const sas = await ipsec.observeSas();
    return { kind: 'ipsec', namespace, charonRunning: sas !== undefined, lans, tunnels: ipsec.tunnelIds().map((id) => tunnelLiveState(id, sas ?? [])) };
  }

  /** Once per service start: what an earlier version made in the host's namespace goes first. */
  private withoutLegacyLayout(): Promise<void> {
    this.legacyRemoved ??= removeLegacyLayout(this.options.stateDir, new Shell(this.runner, this.options.netns), this.runner, this.options.ipsecBackend)
      .catch((error: unknown) => {
        this.legacyRemoved = undefined; // tried again on the next pass
        throw error;
      });
    return this.legacyRemoved;
  }

  private wireguard(id: string): WireguardDataplane {
    return new WireguardDataplane(this.network.gatewayShell(gatewayNamespaceName(id)), this.options.stateDir);
  }

  private ipsec(id: string): IpsecDataplane {
    const shell = this.network.gatewayShell(gatewayNamespaceName(id));
    return new IpsecDataplane(new CharonProcess(shell, this.runner, join(this.options.stateDir, 'ipsec', id), this.options.ipsecBackend));
  }

  /**
   * A deleted namespace lives on while a process is in it, with the gatewayIP on its leg: the
   * gateway's wireguard-go or charon there is ended before the namespace is made anew.
   */
  private async stopLostProcesses(kind: DesiredGateway['kind'], id: string) {
    if (kind === 'ipsec') {
      await new CharonProcess(this.network.gatewayShell(gatewayNamespaceName(id)), this.runner, join(this.options.stateDir, 'ipsec', id), this.options.ipsecBackend).stop();
      return;
    }
    const ifname = wireguardInterfaceName(id);
    killExactCommand(['wireguard-go', ifname]);
    rmSync(join(WIREGUARD_SOCKET_DIR, `${ifname}.sock`), { force: true });
  }
}

function tunnelLiveState(tunnelId: string, sas: ObservedIkeSa[]): IpsecTunnelLiveState {
  const mine = sas.filter((sa) => sa.connection === tunnelConnectionName(tunnelId));
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
