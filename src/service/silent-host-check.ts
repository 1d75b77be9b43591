import type { Logger } from 'pino';

/**
 * Runs the silent-host check (FleetService.markSilentHosts) periodically in vpngw serve. Every server
 * may run it: its writes are conditional, so two servers checking at once write the same thing once.
 */
export class SilentHostCheck {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: { check: () => Promise<number>; timeoutMs: number; logger: Logger }) {}

  /** A quarter of the timeout, between 50 ms and 15 s: a silent host is noticed within that of its timeout. */
  get intervalMs() {
    return Math.min(15_000, Math.max(50, Math.floor(this.deps.timeoutMs / 4)));
  }

  start() {
    this.timer = setInterval(() => { void this.runOnce(); }, this.intervalMs);
    this.timer.unref();
  }

  private async runOnce() {
    if (this.running) return;
    this.running = this.deps.check().then(() => undefined, (error: unknown) => {
      this.deps.logger.warn({ err: error }, 'silent gateway host check failed; trying again at the next interval');
    }).finally(() => { this.running = undefined; });
    await this.running;
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
