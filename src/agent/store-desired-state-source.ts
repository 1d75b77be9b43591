import type { SecretBox } from '../security/secret-box.ts';
import type { Store } from '../store/store.ts';
import { desiredGateway, lanBindingMap } from './desired-state-builder.ts';
import type { ApplyOutcome, DesiredStateSource, GatewayToConverge } from './desired-state-source.ts';

/** The embedded data plane's source: the service's own store, secrets opened with its SecretBox, LANs by the operator's bindings. */
export class StoreDesiredStateSource implements DesiredStateSource {
  constructor(private readonly store: Store, private readonly secretBox: SecretBox) {}

  async gatewaysToConverge(options: { full: boolean }): Promise<GatewayToConverge[]> {
    const gateways = options.full ? await this.store.listAllGateways() : await this.store.listGatewaysWithPendingChanges();
    const bindings = lanBindingMap(await this.store.listLanBindings());
    return gateways.map((gateway) => ({
      kind: gateway.kind,
      id: gateway.id,
      generation: gateway.generation,
      deleting: gateway.deleting,
      recorded: { appliedGeneration: gateway.appliedGeneration, status: gateway.status, message: gateway.statusMessage },
      desired: async () => desiredGateway(gateway, await this.store.listAllChildren(gateway.id), this.secretBox, bindings),
    }));
  }

  async recordApplyOutcome(id: string, generation: number, outcome: ApplyOutcome): Promise<void> {
    await this.store.recordApplyOutcome(id, generation, outcome);
  }

  async confirmRemoval(id: string): Promise<void> {
    await this.store.purgeDeletedGateway(id);
  }
}
