import type { DesiredIpsecGateway } from '../../domain/desired-state.ts';
import { renderedConfigHash } from '../../render/config-hash.ts';
import { renderSwanctlConfig, tunnelConnectionName } from '../../render/swanctl-config.ts';

/** What was last loaded into the gateway's charon: which charon, and each tunnel's rendered-config hash. */
export interface LoadedState {
  charonPid: number;
  tunnels: Record<string, string>;
}

/** The hash of each tunnel's own connection and secret, so a change to one tunnel is seen as exactly that. */
export function tunnelHashes(gw: DesiredIpsecGateway): Record<string, string> {
  return Object.fromEntries(gw.tunnels.map((t) => [t.id, renderedConfigHash(renderSwanctlConfig({ ...gw, tunnels: [t] }))]));
}

export interface IpsecLoadInput {
  wanted: Record<string, string>;
  loadedNames: string[];
  previous: LoadedState;
  charonPid: number;
}

export interface IpsecLoadPlan {
  reload: boolean;
  /** IKE_SAs to end: their tunnel changed (renegotiate with the new settings) or is gone. */
  terminate: string[];
}

/**
 * Reload when anything differs: another charon than the one loaded into (it was restarted),
 * a wanted connection missing, an unwanted one present, or a tunnel's settings changed.
 */
export function planIpsecLoad(input: IpsecLoadInput): IpsecLoadPlan {
  const before = input.previous.charonPid === input.charonPid ? input.previous.tunnels : {};
  const loaded = new Set(input.loadedNames);
  const wantedNames = new Set(Object.keys(input.wanted).map(tunnelConnectionName));
  const changed = Object.keys(input.wanted).filter((id) => before[id] !== undefined && before[id] !== input.wanted[id]);
  const gone = Object.keys(before).filter((id) => input.wanted[id] === undefined);
  const missing = [...wantedNames].some((name) => !loaded.has(name));
  const stray = input.loadedNames.some((name) => !wantedNames.has(name));
  const added = Object.keys(input.wanted).some((id) => before[id] === undefined);
  return {
    reload: missing || stray || added || changed.length > 0 || gone.length > 0,
    terminate: [...changed, ...gone].sort().map(tunnelConnectionName),
  };
}
