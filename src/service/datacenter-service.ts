import { notFound } from '../domain/errors.ts';
import type { Page } from '../domain/pagination.ts';
import type { Principal } from '../domain/principal.ts';
import type { DatacenterRecord, LanRecord, Listing, StoreReader } from '../store/store.ts';

/** A LAN with its datacenter, as the tenant routes present it. */
export interface LanView {
  datacenter: DatacenterRecord;
  lan: LanRecord;
}

/**
 * What a tenant may read of datacenters and LANs: its own contract's only. Another contract's
 * datacenter is 404, word for word as one that does not exist.
 */
export class DatacenterService {
  constructor(private readonly store: StoreReader) {}

  listDatacenters(principal: Principal, page: Page): Promise<Listing<DatacenterRecord>> {
    return this.store.listDatacenters(principal.contractNumber, page);
  }

  async getDatacenter(principal: Principal, id: string): Promise<DatacenterRecord> {
    const datacenter = await this.store.findDatacenter(id);
    if (!datacenter || datacenter.contractNumber !== principal.contractNumber) throw notFound('Datacenter', id);
    return datacenter;
  }

  async listLans(principal: Principal, datacenterId: string, page: Page): Promise<{ datacenter: DatacenterRecord; listing: Listing<LanRecord> }> {
    const datacenter = await this.getDatacenter(principal, datacenterId);
    return { datacenter, listing: await this.store.listLans(datacenter.id, page) };
  }

  async getLan(principal: Principal, datacenterId: string, lanId: string): Promise<LanView> {
    const datacenter = await this.getDatacenter(principal, datacenterId);
    const lan = await this.store.findLan(datacenter.id, lanId);
    if (!lan) throw notFound('LAN', lanId);
    return { datacenter, lan };
  }
}
