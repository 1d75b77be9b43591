import type { DesiredGateway, GatewayKind } from '../../domain/desired-state.ts';
import type { ApplyOutcome, DesiredStateSource, GatewayToConverge } from '../desired-state-source.ts';

/** One apply outcome as /agent/v1/reports takes it. */
export interface ReportItem {
  id: string;
  generation: number;
  status: 'AVAILABLE' | 'FAILED';
  message?: string;
}

/**
 * The agent's source: the last snapshot from the API server's desired-state watch, updated by each
 * answer. A full pass converges the whole snapshot (anything else applied is removed); a changed pass
 * the gateways the last answers changed and removed. Outcomes wait here until they are reported.
 */
export class RemoteDesiredStateSource implements DesiredStateSource {
  private snapshot = new Map<string, DesiredGateway>();
  private changed = new Set<string>();
  private removed = new Map<string, GatewayKind>();
  private reported = new Map<string, { appliedGeneration: number; status: string; message: string | null }>();
  private unreported = new Map<string, ReportItem>();

  /** A full answer: it is everything placed on this host. */
  replaceAll(gateways: DesiredGateway[]): void {
    this.snapshot = new Map(gateways.map((g) => [g.id, g]));
    this.changed.clear();
    this.removed.clear();
  }

  /** A changed answer: these gateways are new or changed, those are no longer placed here. */
  applyChanges(gateways: DesiredGateway[], removed: string[], appliedKinds: Map<string, GatewayKind>): void {
    for (const gateway of gateways) {
      this.snapshot.set(gateway.id, gateway);
      this.changed.add(gateway.id);
      this.removed.delete(gateway.id);
    }
    for (const id of removed) {
      const kind = this.snapshot.get(id)?.kind ?? appliedKinds.get(id);
      this.snapshot.delete(id);
      this.changed.delete(id);
      this.reported.delete(id);
      if (kind) this.removed.set(id, kind);
    }
  }

  get hasChanges(): boolean {
    return this.changed.size > 0 || this.removed.size > 0;
  }

  get size(): number {
    return this.snapshot.size;
  }

  async gatewaysToConverge(options: { full: boolean }): Promise<GatewayToConverge[]> {
    const applying = options.full ? [...this.snapshot.values()] : [...this.changed].flatMap((id) => this.snapshot.get(id) ?? []);
    this.changed.clear();
    const removing = [...this.removed].map(([id, kind]): GatewayToConverge => ({ kind, id, generation: 0, deleting: true, desired: () => Promise.reject(new Error('removed')) }));
    const recorded = (id: string) => this.reported.get(id);
    return [
      ...removing,
      ...applying.map((g): GatewayToConverge => {
        const last = recorded(g.id);
        return { kind: g.kind, id: g.id, generation: g.generation, deleting: false, ...(last ? { recorded: last } : {}), desired: async () => g };
      }),
    ];
  }

  async recordApplyOutcome(id: string, generation: number, outcome: ApplyOutcome): Promise<void> {
    this.unreported.set(id, { id, generation, status: outcome.status, ...(outcome.message !== null ? { message: outcome.message.slice(0, 1000) } : {}) });
  }

  async confirmRemoval(id: string): Promise<void> {
    this.removed.delete(id);
  }

  /** The outcomes not reported yet. */
  pendingReports(): ReportItem[] {
    return [...this.unreported.values()];
  }

  /** These outcomes reached the API server (recorded, stale or no longer placed here): not sent again while unchanged. */
  reportsDelivered(items: ReportItem[]): void {
    for (const item of items) {
      if (this.unreported.get(item.id) === item) this.unreported.delete(item.id);
      if (this.snapshot.has(item.id)) this.reported.set(item.id, { appliedGeneration: item.generation, status: item.status, message: item.message ?? null });
    }
  }
}
