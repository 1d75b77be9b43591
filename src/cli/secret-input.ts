import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Thrown for a mistake in how the command was called: exit status 2 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What standard input was read for, and its text: it can be read only once per process. */
let standardInput: { what: string; text: string } | undefined;

/**
 * Standard input, read once and cached: the same input may be asked for twice in one command (the
 * password of `vpngw login --password-file -` by the connection and then by login itself), and a
 * second read would find it empty. Two different things cannot both come from it.
 */
export function readStandardInput(what: string): string {
  if (standardInput) {
    if (standardInput.what !== what) throw new UsageError(`standard input was already used for the ${standardInput.what}; give the ${what} in a file`);
    return standardInput.text;
  }
  let text: string;
  try {
    text = readFileSync(0, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} from standard input: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  standardInput = { what, text };
  return text;
}

/**
 * Reads a secret (a key, a PSK, a password) from a file, or from standard input when the file is
 * `-`. Secrets never come from the command line, where the process list would show them.
 */
export function readSecretFile(path: string, what: string): string {
  let text: string;
  if (path === '-') {
    text = readStandardInput(what);
  } else {
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the ${what} from ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const value = text.trim();
  if (!value) throw new UsageError(`the ${what} in ${path === '-' ? 'standard input' : path} is empty`);
  return value;
}

/** Asks for a password on the terminal without echoing it; reads one line of stdin when it is not a terminal. */
export async function promptSecret(prompt: string, what = 'password'): Promise<string> {
  if (!process.stdin.isTTY) return readSecretFile('-', what);
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
