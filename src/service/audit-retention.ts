import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';

const DAY_MS = 24 * 3600_000;

export interface AuditRetentionDeps {
  store: Store;
  /** Records older than this many days are deleted; 0 keeps them for ever. */
  days: number;
  logger: Logger;
  /** How often expired records are looked for; hourly by default. */
  intervalMs?: number;
  /** Records deleted per statement, so that no delete holds the store for long. */
  batchSize?: number;
  now?: () => Date;
}

/** Deletes expired audit records: at start, then periodically, in batches. */
export class AuditRetention {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(private readonly deps: AuditRetentionDeps) {}

  /** Deletes every record older than the retention period; answers how many. One sweep at a time. */
  sweep(): Promise<number> {
    this.sweeping ??= this.deleteExpired().finally(() => { this.sweeping = undefined; });
    return this.sweeping;
  }

  start() {
    if (this.deps.days <= 0) return;
    const run = () => void this.sweep().catch((error: unknown) => this.deps.logger.error({ err: error }, 'could not delete expired audit records'));
    run();
    this.timer = setInterval(run, this.deps.intervalMs ?? 3600_000);
    this.timer.unref();
  }

  async stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
  }

  private async deleteExpired(): Promise<number> {
    if (this.deps.days <= 0) return 0;
    const batch = this.deps.batchSize ?? 1000;
    const cutoff = new Date((this.deps.now?.() ?? new Date()).getTime() - this.deps.days * DAY_MS).toISOString();
    let total = 0;
    for (;;) {
      const deleted = await this.deps.store.deleteAuditRecordsBefore(cutoff, batch);
      total += deleted;
      if (deleted < batch) break;
      // Let requests in between batches (SQLite has one connection).
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total > 0) this.deps.logger.info({ deleted: total, before: cutoff }, 'deleted expired audit records');
    return total;
  }
}
