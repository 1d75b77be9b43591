const FREE_FAILURES = 5;
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;
const FORGET_AFTER_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

interface Failures { count: number; last: number }

/**
 * Slows down password guessing per account: after a few failures, each further attempt on that
 * account waits, doubling up to a cap; a success or a quiet quarter of an hour resets it.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly clock: () => number = Date.now, private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {}

  /** The delay the next attempt on this account must wait. */
  delayFor(account: string): number {
    const entry = this.failures.get(account.toLowerCase());
    if (!entry || this.clock() - entry.last > FORGET_AFTER_MS || entry.count < FREE_FAILURES) return 0;
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (entry.count - FREE_FAILURES));
  }

  async waitTurn(account: string): Promise<void> {
    const delay = this.delayFor(account);
    if (delay > 0) await this.sleep(delay);
  }

  recordFailure(account: string) {
    const key = account.toLowerCase();
    const entry = this.failures.get(key);
    const fresh = !entry || this.clock() - entry.last > FORGET_AFTER_MS;
    if (!entry && this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(key, { count: fresh ? 1 : entry.count + 1, last: this.clock() });
  }

  recordSuccess(account: string) {
    this.failures.delete(account.toLowerCase());
  }
}
