import type { Logger } from 'pino';
import type { HostStore } from '../store/host-store.ts';

/** How many revisions of the change log are kept: an agent further behind gets a snapshot (it converges the same). */
export const FLEET_REVISIONS_KEPT = 10_000;

export interface FleetChangeTrimDeps {
  hosts: HostStore;
  logger: Logger;
  /** How often the log is trimmed; every ten minutes by default. */
  intervalMs?: number;
  kept?: number;
}

/** Keeps the fleet's change log bounded: at start, then periodically, one trim at a time. */
export class FleetChangeTrim {
  private timer: NodeJS.Timeout | undefined;
  private trimming: Promise<number> | undefined;

  constructor(private readonly deps: FleetChangeTrimDeps) {}

  trim(): Promise<number> {
    this.trimming ??= this.deps.hosts.trimChanges(this.deps.kept ?? FLEET_REVISIONS_KEPT).finally(() => { this.trimming = undefined; });
    return this.trimming;
  }

  start() {
    const run = () => void this.trim()
      .then((deleted) => { if (deleted > 0) this.deps.logger.info({ deleted }, 'trimmed the fleet change log'); })
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'could not trim the fleet change log'));
    run();
    this.timer = setInterval(run, this.deps.intervalMs ?? 600_000);
    this.timer.unref();
  }

  async stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.trimming?.catch(() => undefined);
  }
}
