/** Releases a slot taken from a PasswordCheckGate; calling it more than once has no further effect. */
export type Release = () => void;

/** Called with true when a waiter gets its slot, false when it is pushed out of the queue. */
type Waiter = (granted: boolean) => void;

/**
 * Bounds the password checks (scrypt, ~50 ms of a libuv worker thread each) that run at once, and
 * the ones that may wait for a slot; beyond that, `enter` answers undefined at once, so a flood
 * cannot build an unbounded queue in front of everyone's login. Checks from clients with failures
 * on record (`later`) get a slot only when no other check waits, and give up their place in a full
 * queue to one that does not: guesses never delay a login from a client that has not failed.
 */
export class PasswordCheckGate {
  private running = 0;
  private readonly first: Waiter[] = [];
  private readonly later: Waiter[] = [];

  constructor(readonly slots: number, readonly queue: number) {}

  /** A slot (after waiting in the bounded queue if need be), or undefined when there is no room. */
  async enter(later = false): Promise<Release | undefined> {
    if (this.running < this.slots) {
      this.running += 1;
      return this.releaser();
    }
    if (this.first.length + this.later.length >= this.queue) {
      const pushedOut = later ? undefined : this.later.pop();
      if (!pushedOut) return undefined;
      pushedOut(false);
    }
    const granted = await new Promise<boolean>((resolve) => (later ? this.later : this.first).push(resolve));
    return granted ? this.releaser() : undefined;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.first.shift() ?? this.later.shift();
      // The slot passes straight to the next waiter; `running` stays the same.
      if (next) next(true);
      else this.running -= 1;
    };
  }
}
