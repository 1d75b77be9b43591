import type { Logger } from 'pino';
import type { ChangeFeed } from './change-feed.ts';

export const REVISION_POLL_MS = 1000;

export interface RevisionPollDeps {
  feed: ChangeFeed;
  /** The fleet's revision as the store has it now. */
  readRevision(): Promise<number>;
  logger: Logger;
  intervalMs?: number;
}

/**
 * The fallback source of a change feed: reads the fleet revision once per
 * interval and wakes the waiting watches when it rose. It catches what no notify() announced: a write by
 * another process on the same SQLite file (`vpngw host drain` next to a running server), or a
 * notification lost while a PostgreSQL listening connection was being opened again. One query per
 * interval per server (a primary-key read).
 */
export class RevisionPoll {
  private timer: NodeJS.Timeout | undefined;
  private seen: number | undefined;
  private polling = false;

  constructor(private readonly deps: RevisionPollDeps) {}

  /** Reads the revision once (every later rise wakes the watches), then keeps looking. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.deps.intervalMs ?? REVISION_POLL_MS);
    this.timer.unref();
    await this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look; exported for tests. Overlapping looks (a slow store) are skipped, not queued. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const revision = await this.deps.readRevision();
      if (this.seen !== undefined && revision > this.seen && this.deps.feed.waiting > 0) this.deps.feed.notify();
      this.seen = revision;
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not read the fleet revision');
    } finally {
      this.polling = false;
    }
  }
}
