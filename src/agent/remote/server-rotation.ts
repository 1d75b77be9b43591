/**
 * The API servers an agent talks to, in turn: a connection failure or a 5xx moves to the next one
 * at once; once every server has failed in a row, each further move waits longer (doubling, capped).
 */
export class ServerRotation {
  private index = 0;
  private failuresInRow = 0;

  constructor(private readonly urls: readonly string[], private readonly backoff = { initialMs: 500, maxMs: 30_000 }) {
    if (urls.length === 0) throw new Error('at least one server URL is needed');
  }

  get current(): string {
    return this.urls[this.index] as string;
  }

  /** The current server failed: move to the next; returns how long to wait before trying it. */
  failed(): number {
    this.failuresInRow += 1;
    this.index = (this.index + 1) % this.urls.length;
    const rounds = Math.floor(this.failuresInRow / this.urls.length);
    if (rounds === 0) return 0;
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (rounds - 1));
  }

  /** The current server answered: stay with it, and forget the failures. */
  succeeded(): void {
    this.failuresInRow = 0;
  }
}
