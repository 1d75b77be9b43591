import type { DesiredGateway, GatewayKind } from '../domain/desired-state.ts';

export interface GatewayRef {
  kind: GatewayKind;
  id: string;
}

/** Raised by a driver when a gateway's configuration cannot be applied; the message becomes statusMessage. */
export class DataPlaneError extends Error {
  override readonly name = 'DataPlaneError';
}

/**
 * The data plane behind the reconciler. Level-triggered: apply observes what is there and repairs
 * any difference from desired, doing nothing when they already match.
 */
export interface DataPlaneDriver {
  readonly name: string;
  /** How many gateways the reconciler may apply or remove at once (default 1); the driver keeps host-wide steps apart itself. */
  readonly parallelApplies?: number;
  /** Makes the gateway's data plane match desired; throws DataPlaneError when it cannot. */
  apply(desired: DesiredGateway): Promise<void>;
  /** Removes everything it created for the gateway; succeeds when nothing is there. */
  remove(ref: GatewayRef): Promise<void>;
  /** The gateways it has something applied for, so the reconciler can remove the unwanted. */
  listApplied(): Promise<GatewayRef[]>;
  /** Removes what an interrupted write left (temp files, key files); called before each full pass. */
  sweepInterruptedWrites(): Promise<void>;
  /**
   * What the data plane needs and lacks now (a tool removed, the namespace gone), each as a short
   * phrase; empty when all is there. Cheap (no commands run): called once per reconcile pass.
   */
  missingPrerequisites?(): string[];
}

/** What a WireGuard peer's session looks like now, as `wg show` reports it. */
export interface WireguardPeerLiveState {
  publicKey: string;
  endpoint: string | null;
  /** ISO time of the latest handshake, null when there was none. */
  latestHandshake: string | null;
  transferRxBytes: number;
  transferTxBytes: number;
}

/** Whether a tunnel's IKE_SA and CHILD_SAs are up, as charon reports them. */
export interface IpsecTunnelLiveState {
  tunnelId: string;
  ikeState: string | null;
  ikeEstablished: boolean;
  childEstablished: boolean;
  bytesIn: number;
  bytesOut: number;
}

/** A gateway's leg on one LAN: whether it is there and up, and its addresses. */
export interface LanLiveState {
  datacenterId: string;
  lanId: string;
  interfaceName: string;
  present: boolean;
  addresses: string[];
}

export type GatewayLiveState =
  | { kind: 'wireguard'; namespace: string; interfaceName: string; present: boolean; listenPort: number | null; lans: LanLiveState[]; peers: WireguardPeerLiveState[] }
  | { kind: 'ipsec'; namespace: string; charonRunning: boolean; lans: LanLiveState[]; tunnels: IpsecTunnelLiveState[] };

/** Optional capability of a driver that applies to a real data plane: the sessions as they are now. */
export interface LiveStateSource {
  liveState(ref: GatewayRef): Promise<GatewayLiveState>;
}
