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
  /** Makes the gateway's data plane match desired; throws DataPlaneError when it cannot. */
  apply(desired: DesiredGateway): Promise<void>;
  /** Removes everything it created for the gateway; succeeds when nothing is there. */
  remove(ref: GatewayRef): Promise<void>;
  /** The gateways it has something applied for, so the reconciler can remove the unwanted. */
  listApplied(): Promise<GatewayRef[]>;
}
