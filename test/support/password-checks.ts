import { verifyPassword } from '../../src/security/passwords.ts';

/** The real password check, counted: how many ran, how many at once at most, which passwords in which order. */
export function countingPasswordChecks() {
  const stats = { count: 0, running: 0, maxRunning: 0, passwords: [] as string[] };
  let gate: Promise<void> | undefined;
  let open = () => {};
  return {
    stats,
    /** Until release(), every check waits after it started (to hold checks in flight). */
    hold() { gate = new Promise((resolve) => { open = resolve; }); },
    release() { open(); gate = undefined; },
    async verify(password: string, stored: string): Promise<boolean> {
      stats.count += 1;
      stats.passwords.push(password);
      stats.running += 1;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      try {
        if (gate) await gate;
        return await verifyPassword(password, stored);
      } finally {
        stats.running -= 1;
      }
    },
  };
}
