import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';

/**
 * Without an embedded data plane (serve --driver none) nothing here removes a deleted gateway's data
 * plane, so its record goes once the deletion is committed: the deletion's fleet change has been
 * logged in the same transaction, and the host's agent removes the gateway at its next watch answer.
 */
export class DeletedGatewayPurger {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: { store: Pick<Store, 'listGatewaysWithPendingChanges' | 'purgeDeletedGateway'>; logger: Logger }) {}

  /** Purges soon; runs never overlap, and a nudge during a run causes one more. */
  nudge(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    await this.running;
  }

  private async loop() {
    do {
      this.again = false;
      try {
        for (const gateway of await this.deps.store.listGatewaysWithPendingChanges()) {
          if (gateway.deleting) await this.deps.store.purgeDeletedGateway(gateway.id);
        }
      } catch (error) {
        this.deps.logger.error({ err: error }, 'purging deleted gateways failed; retrying at the next change');
      }
    } while (this.again);
  }
}
