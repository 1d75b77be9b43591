import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredGateway, GatewayKind } from '../domain/desired-state.ts';
import { renderSwanctlConfig } from '../render/swanctl-config.ts';
import { renderWireguardConfig } from '../render/wireguard-config.ts';
import { ATOMIC_TEMP_FILE, removeFilesMatching, writeFileAtomic } from '../util/atomic-file.ts';
import { DataPlaneError, type DataPlaneDriver, type GatewayRef } from './driver.ts';
import { gatewayLayout } from './gateway-layout.ts';

const LAYOUT: Record<GatewayKind, { folder: string; suffix: string; render: (d: DesiredGateway) => string }> = {
  wireguard: { folder: 'wireguard', suffix: '.conf', render: (d) => renderWireguardConfig(d as Extract<DesiredGateway, { kind: 'wireguard' }>) },
  ipsec: { folder: 'ipsec', suffix: '.swanctl.conf', render: (d) => renderSwanctlConfig(d as Extract<DesiredGateway, { kind: 'ipsec' }>) },
};

const ID_FILE = /^[0-9a-f-]{36}/;
const FIREWALL_SUFFIX = '.nft';

/** The gateway's namespace, legs and firewall as the linux driver would make them, as an nft file with a header. */
export function renderNetworkFile(desired: DesiredGateway): string {
  const layout = gatewayLayout(desired, 'libipsec');
  const header = [
    `# namespace ${layout.namespace}`,
    `# uplink leg ${layout.uplinkLeg} holds the gatewayIP ${desired.gatewayIP}`,
    ...layout.lanLegs.map((leg) => `# LAN ${leg.lanId} of datacenter ${leg.datacenterId}: leg ${leg.name} on ${leg.hostInterface ?? '(no interface bound)'}, ${leg.addresses.join(' ')}`),
  ];
  return `${header.join('\n')}\n${layout.firewall.text}`;
}

/**
 * Renders each gateway's configuration into files under a directory (mode 0600, written
 * atomically) and applies nothing: the embedded default, and what an operator's own tooling can
 * pick up. Beside the tunnel configuration, `<id>.nft`: its namespace, legs and firewall.
 */
export class FilesDriver implements DataPlaneDriver {
  readonly name = 'files';
  /** Each gateway has files of its own, written atomically. */
  readonly parallelApplies = 8;

  constructor(private readonly root: string) {}

  private path(kind: GatewayKind, id: string, suffix = LAYOUT[kind].suffix) {
    return join(this.root, LAYOUT[kind].folder, `${id}${suffix}`);
  }

  async apply(desired: DesiredGateway): Promise<void> {
    try {
      mkdirSync(join(this.root, LAYOUT[desired.kind].folder), { recursive: true, mode: 0o700 });
      writeIfChanged(this.path(desired.kind, desired.id), LAYOUT[desired.kind].render(desired));
      writeIfChanged(this.path(desired.kind, desired.id, FIREWALL_SUFFIX), renderNetworkFile(desired));
    } catch (error) {
      throw new DataPlaneError(`Could not write the configuration file: ${(error as NodeJS.ErrnoException).code ?? 'I/O error'}.`);
    }
  }

  async remove(ref: GatewayRef): Promise<void> {
    rmSync(this.path(ref.kind, ref.id), { force: true });
    rmSync(this.path(ref.kind, ref.id, FIREWALL_SUFFIX), { force: true });
  }

  async sweepInterruptedWrites(): Promise<void> {
    removeFilesMatching(this.root, ATOMIC_TEMP_FILE);
  }

  /** The directory it writes into must be one and writable (it is created when absent). */
  missingPrerequisites(): string[] {
    try {
      if (!statSync(this.root).isDirectory()) return [`${this.root} is not a directory`];
      accessSync(this.root, constants.W_OK);
      return [];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? [] : [`${this.root} is not writable (${code ?? 'I/O error'})`];
    }
  }

  async listApplied(): Promise<GatewayRef[]> {
    return (Object.keys(LAYOUT) as GatewayKind[]).flatMap((kind) => {
      const folder = join(this.root, LAYOUT[kind].folder);
      if (!existsSync(folder)) return [];
      const ids = readdirSync(folder)
        .filter((name) => (name.endsWith(LAYOUT[kind].suffix) || name.endsWith(FIREWALL_SUFFIX)) && ID_FILE.test(name))
        .map((name) => name.slice(0, 36));
      return [...new Set(ids)].map((id) => ({ kind, id }));
    });
  }
}

function writeIfChanged(path: string, text: string) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileAtomic(path, text);
}
