import { readdirSync, readFileSync } from 'node:fs';

/** Kills every process whose command line is exactly `argv` (a wireguard-go left in a lost namespace). */
export function killExactCommand(argv: string[]): void {
  const wanted = `${argv.join('\0')}\0`;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already, or not readable
    }
  }
}
