import { open, stat, type FileHandle } from 'node:fs/promises';

/** Makes the commits made so far durable; what a store awaits before it answers that a write is done. */
export interface CommitSync {
  durable(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Group commit for SQLite in WAL mode with `synchronous = NORMAL`: a commit reaches the WAL file but
 * is not synced by SQLite; `durable()` resolves once an fdatasync of the WAL that began after the call
 * has ended. The disk then holds what `synchronous = FULL` would have synced at that commit. Every
 * commit that arrives while one sync runs shares the next one, so a burst of writes costs one sync per
 * round instead of one each, and the event loop never waits for the disk (the sync runs on libuv's
 * thread pool).
 */
export class WalGroupSync implements CommitSync {
  private file: FileHandle | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly walPath: string) {}

  durable(): Promise<void> {
    // A sync that is running may have begun before the caller's commit: the caller needs the next one.
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    this.queued = this.running.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  async close() {
    await Promise.allSettled([this.running, this.queued]);
    await this.file?.close();
    this.file = undefined;
  }

  private start(): Promise<void> {
    const run = this.sync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async sync() {
    const file = await this.walFile();
    await file?.datasync();
  }

  /** The WAL file, reopened if it was replaced (SQLite deletes it when the last connection closes). */
  private async walFile(): Promise<FileHandle | undefined> {
    if (this.file) {
      const [held, named] = await Promise.all([this.file.stat(), stat(this.walPath).catch(() => undefined)]);
      if (named && held.ino === named.ino && held.dev === named.dev) return this.file;
      await this.file.close();
      this.file = undefined;
    }
    try {
      this.file = await open(this.walPath, 'r');
    } catch (error) {
      // No WAL yet: nothing has been committed, so nothing is waiting to be synced.
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
    return this.file;
  }
}
