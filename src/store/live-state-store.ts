/**
 * The live state agents send of the gateways placed on their hosts (a fleet's /status and live
 * metrics), one row per gateway, on the same database as the hosts. A row is served only while its
 * host is the gateway's current placement: a gateway that moved shows nothing until its new host
 * sends; a deleted gateway's or removed host's rows go with them (foreign keys).
 */

export type LiveStateKind = 'wireguard' | 'ipsec';

/** One gateway's state as an agent sent it; `state` is the JSON object, kept opaque here. */
export interface LiveStateWrite {
  gatewayId: string;
  kind: LiveStateKind;
  state: unknown;
  observedAt: string;
}

/** Why an entry was not stored. */
export type LiveStateRefusal = 'NOT_PLACED_HERE' | 'STALE';

export interface StoredLiveState {
  gatewayId: string;
  kind: LiveStateKind;
  state: unknown;
  observedAt: string;
  receivedAt: string;
}

/** What is known of one gateway's live state: where it runs, whether its host calls in, what it last sent. */
export interface GatewayLiveStateView {
  /** False when no host runs the gateway. */
  placedOnHost: boolean;
  /** The host's last contact; null when unplaced. */
  hostLastContact: string | null;
  /** Null when the host placed now has sent nothing for it yet. */
  stored: StoredLiveState | null;
}

export interface LiveStateStore {
  /**
   * Stores the entries of gateways placed on the host now (of that kind, not being deleted) unless a
   * later observation is stored; answers the refused ones. Also deletes the host's rows of gateways
   * no longer placed on it. One transaction.
   */
  putLiveStates(hostId: string, entries: LiveStateWrite[], receivedAt: string): Promise<Map<string, LiveStateRefusal>>;
  /** One gateway's view (one query). */
  liveStateOf(gatewayId: string): Promise<GatewayLiveStateView>;
  /** Every stored state whose host is its gateway's current placement, by gateway id (one query). */
  listLiveStates(): Promise<Map<string, StoredLiveState>>;
  /** Per gateway with a stored state, its WireGuard peers' ids by public key (one query), to label the gauges. */
  listPeerIds(): Promise<Map<string, Map<string, string>>>;
}
