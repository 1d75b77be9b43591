/**
 * Wakes the agents' watches when something may have changed for them. The watch itself reads what
 * changed from the store (the revision and change log), so a wake-up carries no data and a missed or
 * extra one costs at most a query: any source of "something changed" can feed it. Today the source is
 * this process's own writes; with many API servers on one PostgreSQL, LISTEN/NOTIFY will call notify()
 * for the other servers' writes.
 */
export interface ChangeFeed {
  /** Tells every waiting watch to look again. */
  notify(): void;
  /** Resolves true on the next notify(), false after `ms` or when `signal` aborts. */
  next(ms: number, signal?: AbortSignal): Promise<boolean>;
  /** How many watches wait right now. */
  readonly waiting: number;
}

/** The change feed of one process: notify() wakes the watches this process holds. */
export class InProcessChangeFeed implements ChangeFeed {
  private readonly waiters = new Set<(changed: boolean) => void>();

  get waiting() {
    return this.waiters.size;
  }

  notify() {
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const wake of woken) wake(true);
  }

  next(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.waiters.delete(done);
        resolve(changed);
      };
      const aborted = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal?.addEventListener('abort', aborted, { once: true });
      this.waiters.add(done);
    });
  }
}
