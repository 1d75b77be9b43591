import { childStatus } from '../api/present.ts';
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
  for (const gateway of await store.listAllGateways()) {
    add(`${gateway.kind}gateway/${gateway.status}`);
    for (const child of await store.listAllChildren(gateway.id)) add(`${CHILD_TYPE[child.kind]}/${childStatus(child, gateway).status}`);
  }
  return counts;
}
