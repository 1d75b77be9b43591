import type { ResourceStatus } from '../schemas/common.ts';

/** What of a gateway decides the status of its peers and tunnels. */
export interface GatewayProgress {
  deleting: boolean;
  appliedGeneration: number;
  status: ResourceStatus;
  statusMessage: string | null;
}

/**
 * A peer or tunnel is AVAILABLE once its gateway applied the generation carrying its last change;
 * until then it shares its gateway's progress (PROVISIONING, FAILED with the reason, DESTROYING).
 */
export function childStatus(child: { generation: number }, gateway: GatewayProgress): { status: ResourceStatus; statusMessage?: string } {
  if (gateway.deleting) return { status: 'DESTROYING' };
  if (gateway.appliedGeneration >= child.generation && gateway.status !== 'FAILED') return { status: 'AVAILABLE' };
  if (gateway.status === 'FAILED') return { status: 'FAILED', ...(gateway.statusMessage ? { statusMessage: gateway.statusMessage } : {}) };
  return { status: 'PROVISIONING' };
}
