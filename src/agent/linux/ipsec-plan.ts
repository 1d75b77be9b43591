import type { DesiredIpsecGateway } from '../../domain/desired-state.ts';
import { renderedConfigHash } from '../../render/config-hash.ts';
import { renderSwanctlConfig } from '../../render/swanctl-config.ts';
import { ipsecConnectionName } from './names.ts';

/** What was last loaded into which charon: per gateway, each tunnel's rendered-config hash and IKE endpoints. */
export interface LoadedState {
  charonPid: number;
  gateways: Record<string, Record<string, string>>;
  /** Per gateway, its tunnels' `gatewayIP>remoteHost` pairs (absent in state written before they were kept). */
  endpoints?: Record<string, string[]>;
}

/** A gateway's IKE endpoint pairs: what one charon uses to tell its connections apart (the PSK identities are the addresses). */
export function ikeEndpoints(gw: DesiredIpsecGateway): string[] {
  return gw.tunnels.map((t) => `${gw.gatewayIP}>${t.remoteHost.toLowerCase()}`).sort();
}

/**
 * The first endpoint pair of this gateway that another gateway of the same charon already uses,
 * if any: charon would hand both tunnels' negotiations to one of the two connections.
 */
export function endpointClash(gatewayId: string, mine: string[], previous: LoadedState, servedGatewayIds: string[]): string | undefined {
  const taken = new Set(servedGatewayIds.filter((id) => id !== gatewayId).flatMap((id) => previous.endpoints?.[id] ?? []));
  return mine.find((pair) => taken.has(pair));
}

/** The hash of each tunnel's own connection and secret, so a change to one tunnel is seen as exactly that. */
export function tunnelHashes(gw: DesiredIpsecGateway): Record<string, string> {
  return Object.fromEntries(gw.tunnels.map((t) => [t.id, renderedConfigHash(renderSwanctlConfig({ ...gw, tunnels: [t] }))]));
}

export interface IpsecLoadInput {
  gatewayId: string;
  wanted: Record<string, string>;
  /** Connection names of every gateway this charon serves. */
  allWanted: string[];
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
  const before = input.previous.charonPid === input.charonPid ? (input.previous.gateways[input.gatewayId] ?? {}) : {};
  const loaded = new Set(input.loadedNames);
  const allWanted = new Set(input.allWanted);
  const changed = Object.keys(input.wanted).filter((id) => before[id] !== undefined && before[id] !== input.wanted[id]);
  const gone = Object.keys(before).filter((id) => input.wanted[id] === undefined);
  const missing = Object.keys(input.wanted).some((id) => !loaded.has(ipsecConnectionName(id)));
  const stray = input.loadedNames.some((name) => !allWanted.has(name));
  const added = Object.keys(input.wanted).some((id) => before[id] === undefined);
  return {
    reload: missing || stray || added || changed.length > 0 || gone.length > 0,
    terminate: [...changed, ...gone].sort().map(ipsecConnectionName),
  };
}
