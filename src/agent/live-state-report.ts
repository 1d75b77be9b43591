import type { GatewayKind } from '../domain/desired-state.ts';
import type { GatewayLiveState, GatewayRef } from './driver.ts';

/**
 * A gateway's live state as an agent sends it to the control plane (PUT /agent/v1/live-state): what
 * the driver observed, without the host-internal namespace name. No secrets: public keys, endpoints,
 * counters and SA states only.
 */
export type ReportedLiveState = GatewayLiveState extends infer S ? (S extends GatewayLiveState ? Omit<S, 'namespace'> : never) : never;

/** One gateway's entry of a live-state request. */
export interface LiveStateEntry {
  id: string;
  kind: GatewayKind;
  /** When the agent observed it (ISO 8601, UTC, milliseconds). */
  observedAt: string;
  state: ReportedLiveState;
}

/** Bounds of a live-state request; the server's schema refuses more, so the agent never sends more. */
export const LIVE_STATE_LIMITS = {
  gatewaysPerRequest: 100,
  peersPerGateway: 20,
  tunnelsPerGateway: 20,
  lansPerGateway: 10,
  addressesPerLan: 16,
} as const;

/**
 * What the agent sends of a driver's answer: the namespace dropped, lists cut to the limits (the API
 * allows at most 20 peers or tunnels, so more can only be leftovers the next pass removes) and sorted,
 * so that an unchanged state serializes the same.
 */
export function reportedLiveState(live: GatewayLiveState): ReportedLiveState {
  const lans = live.lans.slice(0, LIVE_STATE_LIMITS.lansPerGateway)
    .map((l) => ({ datacenterId: l.datacenterId, lanId: l.lanId, interfaceName: l.interfaceName, present: l.present, addresses: l.addresses.slice(0, LIVE_STATE_LIMITS.addressesPerLan) }));
  if (live.kind === 'wireguard') {
    const peers = [...live.peers].sort((a, b) => a.publicKey.localeCompare(b.publicKey)).slice(0, LIVE_STATE_LIMITS.peersPerGateway)
      .map((p) => ({ publicKey: p.publicKey, endpoint: p.endpoint, latestHandshake: p.latestHandshake, transferRxBytes: p.transferRxBytes, transferTxBytes: p.transferTxBytes }));
    return { kind: 'wireguard', interfaceName: live.interfaceName, present: live.present, listenPort: live.listenPort, lans, peers };
  }
  const tunnels = [...live.tunnels].sort((a, b) => a.tunnelId.localeCompare(b.tunnelId)).slice(0, LIVE_STATE_LIMITS.tunnelsPerGateway)
    .map((t) => ({ tunnelId: t.tunnelId, ikeState: t.ikeState, ikeEstablished: t.ikeEstablished, childEstablished: t.childEstablished, bytesIn: t.bytesIn, bytesOut: t.bytesOut }));
  return { kind: 'ipsec', charonRunning: live.charonRunning, lans, tunnels };
}

/**
 * The agent's memory of what the control plane has: per gateway the serialized state last delivered.
 * A gateway is sent again only when its state differs; forget() makes the next send carry everything
 * (after a failed send, or a new snapshot of the desired state, as after a reconnect).
 */
export class LiveStateChanges {
  private delivered = new Map<string, string>();

  /** The entries of `observed` whose state differs from what was last delivered, with the serialization to confirm. */
  changed(observed: Array<{ ref: GatewayRef; live: GatewayLiveState; observedAt: string }>): Array<{ entry: LiveStateEntry; serialized: string }> {
    const changes = [];
    for (const { ref, live, observedAt } of observed) {
      const state = reportedLiveState(live);
      const serialized = JSON.stringify(state);
      if (this.delivered.get(ref.id) === serialized) continue;
      changes.push({ entry: { id: ref.id, kind: ref.kind, observedAt, state }, serialized });
    }
    return changes;
  }

  /** These reached the control plane. */
  confirm(sent: Array<{ entry: LiveStateEntry; serialized: string }>): void {
    for (const { entry, serialized } of sent) this.delivered.set(entry.id, serialized);
  }

  /** Only the gateways still run here are remembered. */
  retain(ids: Set<string>): void {
    for (const id of this.delivered.keys()) if (!ids.has(id)) this.delivered.delete(id);
  }

  forget(): void {
    this.delivered.clear();
  }
}

/** `items` in requests of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
