import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Thrown for a mistake in how the command was called: exit status 2 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Reads a secret (a key, a PSK, a password) from a file, or from standard input when the file is
 * `-`. Secrets never come from the command line, where the process list would show them.
 */
export function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} from ${path === '-' ? 'standard input' : path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const value = text.trim();
  if (!value) throw new UsageError(`the ${what} in ${path === '-' ? 'standard input' : path} is empty`);
  return value;
}

/** Asks for a password on the terminal without echoing it; reads one line of stdin when it is not a terminal. */
export async function promptSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return readSecretFile('-', 'password');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', (answer) => resolve(answer.trim())));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
