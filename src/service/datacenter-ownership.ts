import { datacenterNotInContract, lanKey } from '../domain/datacenters.ts';
import type { Connection } from '../schemas/common.ts';
import type { StoreWriter } from '../store/store.ts';

/**
 * The ownership rule of a gateway's connections, run inside the transaction that writes the gateway:
 * a datacenter nobody has is claimed for the caller's contract, another contract's is refused (422
 * naming the connection), and each LAN named is recorded (unbound) when it is new. Anything written
 * here is rolled back with the gateway when the request is refused.
 */
export async function claimConnections(tx: StoreWriter, contractNumber: number, connections: Connection[], date: string): Promise<void> {
  const owned = new Set<string>();
  for (const [index, connection] of connections.entries()) {
    const id = connection.datacenterId.toLowerCase();
    if (owned.has(id)) continue;
    const owner = await tx.claimDatacenter({
      id, contractNumber, name: '', location: '', declared: false, createdDate: date, lastModifiedDate: date,
    });
    if (owner.contractNumber !== contractNumber) throw datacenterNotInContract(index);
    owned.add(id);
  }
  // In one order for every writer, so two transactions never wait on each other's LAN rows crosswise.
  const lans = new Map(connections.map((c) => [lanKey(c.datacenterId, c.lanId), { datacenterId: c.datacenterId.toLowerCase(), lanId: c.lanId }]));
  for (const key of [...lans.keys()].sort()) {
    const lan = lans.get(key);
    if (lan) await tx.insertLanIfAbsent({ ...lan, name: '', hostInterface: null, createdDate: date, lastModifiedDate: date });
  }
}
