import type { DesiredGateway, GatewayKind } from '../domain/desired-state.ts';

export type ApplyStatus = 'AVAILABLE' | 'FAILED';

export interface ApplyOutcome {
  status: ApplyStatus;
  message: string | null;
}

/** One gateway a pass converges: removed when deleting, else applied from its lazily built desired state. */
export interface GatewayToConverge {
  kind: GatewayKind;
  id: string;
  generation: number;
  deleting: boolean;
  /** The outcome already recorded for it, so an unchanged outcome is not written again. */
  recorded?: { appliedGeneration: number; status: string; message: string | null };
  /** Its desired state; a failure to build it fails this gateway only. */
  desired(): Promise<DesiredGateway>;
}

/**
 * Where the reconciler learns what to converge and tells how it went: the embedded store of
 * `vpngw serve`, or an API server's desired-state watch for `vpngw agent`.
 */
export interface DesiredStateSource {
  /** Every gateway wanted on this data plane for a full pass (any other applied one is removed), else those with unapplied changes. */
  gatewaysToConverge(options: { full: boolean }): Promise<GatewayToConverge[]>;
  recordApplyOutcome(id: string, generation: number, outcome: ApplyOutcome): Promise<void>;
  /** The data plane no longer holds this deleting gateway. */
  confirmRemoval(id: string): Promise<void>;
}
