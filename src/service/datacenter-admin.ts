import { randomUUID } from 'node:crypto';
import { isHostInterfaceName, isLanId } from '../domain/datacenters.ts';
import type { DatacenterRecord, LanRecord, Store } from '../store/store.ts';
import { OperatorRefusal } from './operator-refusal.ts';

export interface DatacenterDeclaration {
  contractNumber: number;
  /** A UUID; a new one when absent. */
  id?: string;
  name?: string;
  location?: string;
}

export interface LanBinding {
  datacenterId: string;
  lanId: string;
  hostInterface: string;
  name?: string;
}

/** The operator's side of datacenters and LANs: who owns a datacenter, which host interface is a LAN. */
export class DatacenterAdministration {
  constructor(private readonly store: Store, private readonly now: () => Date = () => new Date()) {}

  /** Declares a datacenter for a contract, or re-declares (renames) one the contract has already. */
  declareDatacenter(input: DatacenterDeclaration): Promise<DatacenterRecord> {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const date = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      if (!(await tx.findContract(input.contractNumber))) throw new OperatorRefusal(`there is no contract ${input.contractNumber}.`);
      const existing = await tx.findDatacenter(id);
      if (existing && existing.contractNumber !== input.contractNumber) {
        throw new OperatorRefusal(`datacenter ${id} belongs to contract ${existing.contractNumber}; a datacenter belongs to one contract only.`);
      }
      const record: DatacenterRecord = {
        id, contractNumber: input.contractNumber, declared: true,
        name: input.name ?? existing?.name ?? '', location: input.location ?? existing?.location ?? '',
        createdDate: existing?.createdDate ?? date, lastModifiedDate: date,
      };
      await (existing ? tx.updateDatacenter(record) : tx.insertDatacenter(record));
      return record;
    });
  }

  /** Binds a LAN of an existing datacenter to an interface of the gateway host; one interface is one LAN. */
  bindLan(input: LanBinding): Promise<LanRecord> {
    if (!isHostInterfaceName(input.hostInterface)) throw new OperatorRefusal(`"${input.hostInterface}" is not a Linux interface name.`);
    if (!isLanId(input.lanId)) throw new OperatorRefusal(`"${input.lanId}" is not a LAN id (digits only).`);
    const datacenterId = input.datacenterId.toLowerCase();
    const date = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      if (!(await tx.findDatacenter(datacenterId))) {
        throw new OperatorRefusal(`there is no datacenter ${datacenterId}; declare it first with \`vpngw datacenter create --contract N --id ${datacenterId}\`.`);
      }
      const holder = (await tx.listLanBindings()).find((l) => l.hostInterface === input.hostInterface);
      if (holder && (holder.datacenterId !== datacenterId || holder.lanId !== input.lanId)) {
        throw new OperatorRefusal(`interface ${input.hostInterface} is already LAN ${holder.lanId} of datacenter ${holder.datacenterId}; unbind that first.`);
      }
      const existing = await tx.findLan(datacenterId, input.lanId);
      const record: LanRecord = {
        datacenterId, lanId: input.lanId, name: input.name ?? existing?.name ?? '', hostInterface: input.hostInterface,
        createdDate: existing?.createdDate ?? date, lastModifiedDate: date,
      };
      await tx.upsertLan(record);
      return record;
    });
  }

  /** Takes a LAN's binding away; answers whether it had one. */
  unbindLan(datacenterId: string, lanId: string): Promise<boolean> {
    const date = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      const lan = await tx.findLan(datacenterId, lanId);
      if (!lan) throw new OperatorRefusal(`datacenter ${datacenterId.toLowerCase()} has no LAN ${lanId}.`);
      if (lan.hostInterface === null) return false;
      await tx.updateLan({ ...lan, hostInterface: null, lastModifiedDate: date });
      return true;
    });
  }
}
