import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredGateway, GatewayKind } from '../domain/desired-state.ts';
import { renderSwanctlConfig } from '../render/swanctl-config.ts';
import { renderWireguardConfig } from '../render/wireguard-config.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';
import { DataPlaneError, type DataPlaneDriver, type GatewayRef } from './driver.ts';

const LAYOUT: Record<GatewayKind, { folder: string; suffix: string; render: (d: DesiredGateway) => string }> = {
  wireguard: { folder: 'wireguard', suffix: '.conf', render: (d) => renderWireguardConfig(d as Extract<DesiredGateway, { kind: 'wireguard' }>) },
  ipsec: { folder: 'ipsec', suffix: '.swanctl.conf', render: (d) => renderSwanctlConfig(d as Extract<DesiredGateway, { kind: 'ipsec' }>) },
};

const ID_FILE = /^[0-9a-f-]{36}/;

/**
 * Renders each gateway's configuration into files under a directory (mode 0600, written
 * atomically) and applies nothing: the embedded default, and what an operator's own tooling can pick up.
 */
export class FilesDriver implements DataPlaneDriver {
  readonly name = 'files';

  constructor(private readonly root: string) {}

  private path(kind: GatewayKind, id: string) {
    const layout = LAYOUT[kind];
    return join(this.root, layout.folder, `${id}${layout.suffix}`);
  }

  async apply(desired: DesiredGateway): Promise<void> {
    const text = LAYOUT[desired.kind].render(desired);
    const path = this.path(desired.kind, desired.id);
    try {
      if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
      mkdirSync(join(this.root, LAYOUT[desired.kind].folder), { recursive: true, mode: 0o700 });
      writeFileAtomic(path, text);
    } catch (error) {
      throw new DataPlaneError(`Could not write the configuration file: ${(error as NodeJS.ErrnoException).code ?? 'I/O error'}.`);
    }
  }

  async remove(ref: GatewayRef): Promise<void> {
    rmSync(this.path(ref.kind, ref.id), { force: true });
  }

  async listApplied(): Promise<GatewayRef[]> {
    return (Object.keys(LAYOUT) as GatewayKind[]).flatMap((kind) => {
      const folder = join(this.root, LAYOUT[kind].folder);
      if (!existsSync(folder)) return [];
      return readdirSync(folder)
        .filter((name) => name.endsWith(LAYOUT[kind].suffix) && ID_FILE.test(name))
        .map((name) => ({ kind, id: name.slice(0, 36) }));
    });
  }
}
