import { ApiRequestError, ApiTimeoutError } from './api-client.ts';
import type { CliContext } from './command.ts';

type Resource = { id?: string; metadata?: { status?: string; statusMessage?: string } };

const FRAMES = ['|', '/', '-', '\\'];
const POLL_MS = 300;

/** Progress on stderr: a spinner on a terminal, one line per status change otherwise (logs, CI). */
class Progress {
  private frame = 0;
  private lastLine = '';
  private readonly started = Date.now();

  constructor(private readonly ctx: CliContext, private readonly what: string) {}

  seconds() {
    return Math.round((Date.now() - this.started) / 1000);
  }

  show(state: string) {
    if (process.stderr.isTTY) {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.ctx.err(`\r${FRAMES[this.frame]} waiting for ${this.what}: ${state} (${this.seconds()}s)\x1b[K`);
    } else if (state !== this.lastLine) {
      this.ctx.err(`waiting for ${this.what}: ${state}\n`);
    }
    this.lastLine = state;
  }

  done(text: string) {
    this.ctx.err(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${this.what} ${text} after ${this.seconds()}s\n`);
  }
}

/** Polls until `step` returns a result, or until the --wait deadline, which also cuts a pending request short. */
async function poll<T>(ctx: CliContext, what: string, step: (progress: Progress) => Promise<T | undefined>): Promise<T> {
  const progress = new Progress(ctx, what);
  const giveUp = () => new ApiRequestError(`gave up waiting for ${what} after ${progress.seconds()}s (--wait-timeout)`, undefined);
  for (;;) {
    let result: T | undefined;
    try {
      result = await step(progress);
    } catch (error) {
      if (error instanceof ApiTimeoutError && error.byDeadline) throw giveUp();
      throw error;
    }
    if (result !== undefined) return result;
    const left = ctx.wait.deadline - Date.now();
    if (left <= 0) throw giveUp();
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}

/** Polls until the resource is AVAILABLE and returns it; FAILED (with the API's statusMessage) is an error. */
export function waitUntilAvailable(ctx: CliContext, what: string, path: string): Promise<Resource> {
  return poll(ctx, what, async (progress) => {
    const resource = await ctx.client.get<Resource>(path);
    const status = resource.metadata?.status ?? 'UNKNOWN';
    if (status === 'AVAILABLE') return (progress.done('is AVAILABLE'), resource);
    if (status === 'FAILED') throw new ApiRequestError(`${what} FAILED: ${resource.metadata?.statusMessage ?? 'no reason given'}`, undefined);
    progress.show(status);
    return undefined;
  });
}

/** Polls until GET answers 404: the data plane has removed the resource. */
export function waitUntilGone(ctx: CliContext, what: string, path: string): Promise<true> {
  return poll(ctx, what, async (progress) => {
    try {
      const resource = await ctx.client.get<Resource>(path);
      progress.show(resource.metadata?.status ?? 'UNKNOWN');
      return undefined;
    } catch (error) {
      if (error instanceof ApiRequestError && error.httpStatus === 404) return (progress.done('is deleted'), true as const);
      throw error;
    }
  });
}
