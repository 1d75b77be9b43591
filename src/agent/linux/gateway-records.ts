import { existsSync, readFileSync } from 'node:fs';
import type { GatewayKind } from '../../domain/desired-state.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import type { UplinkLease } from './gateway-network-plan.ts';

/** What the driver made for one gateway, kept so that a restarted service can find and remove it. */
export interface GatewayRecordState {
  kind: GatewayKind;
  /** Where its gatewayIP was taken from (to be given back), or that it was assigned from a delegated block (`delegated`, absent in older files). */
  uplink?: UplinkLease;
  lans: Array<{ datacenterId: string; lanId: string; interfaceName: string }>;
}

/** The driver's small file of the gateways it applied; written before the system is changed. */
export class GatewayRecords {
  constructor(private readonly path: string) {}

  all(): Record<string, GatewayRecordState> {
    if (!existsSync(this.path)) return {};
    return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, GatewayRecordState>;
  }

  leases(): Record<string, UplinkLease> {
    return Object.fromEntries(Object.entries(this.all()).flatMap(([id, r]) => (r.uplink ? [[id, r.uplink]] : [])));
  }

  put(id: string, record: GatewayRecordState): void {
    const all = this.all();
    if (JSON.stringify(all[id]) === JSON.stringify(record)) return;
    writeFileAtomic(this.path, JSON.stringify({ ...all, [id]: record }));
  }

  delete(id: string): void {
    const { [id]: gone, ...rest } = this.all();
    if (gone) writeFileAtomic(this.path, JSON.stringify(rest));
  }
}
