import { childStatus } from '../domain/child-status.ts';
import type { Store } from '../store/store.ts';

/** The wire `type` of each VPN resource, the `kind` label of the resource gauge. */
export const RESOURCE_KINDS = ['wireguardgateway', 'wireguardpeer', 'ipsecgateway', 'ipsectunnel'] as const;

const CHILD_TYPE = { peer: 'wireguardpeer', tunnel: 'ipsectunnel' } as const;

/**
 * How many resources of each kind are in each status, keyed `kind/status`, with the status a
 * client would read (a peer or tunnel shares its gateway's progress, as the API presents it).
 */
export async function countResources(store: Store): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const [gateways, children] = await Promise.all([store.listAllGateways(), store.listAllChildGenerations()]);
  const byId = new Map(gateways.map((g) => [g.id, g]));
  for (const gateway of gateways) add(`${gateway.kind}gateway/${gateway.status}`);
  for (const child of children) {
    const gateway = byId.get(child.gatewayId);
    if (gateway) add(`${CHILD_TYPE[child.kind]}/${childStatus(child, gateway).status}`);
  }
  return counts;
}
