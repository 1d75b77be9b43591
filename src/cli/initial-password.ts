import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPassword } from '../security/passwords.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';

/** Where the first start keeps the generated administrator password: beside the keys, mode 0600. */
export const initialPasswordPath = (dataDir: string) => join(dataDir, 'initial-admin-password');

/**
 * Keeps the generated password in a file only the service's user reads, so it never has to be in
 * a log: under systemd or a container, whatever the service prints is kept by the journal.
 */
export function writeInitialPassword(dataDir: string, password: string): string {
  const path = initialPasswordPath(dataDir);
  writeFileAtomic(path, `${password}\n`);
  return path;
}

/** Removes the file once the password in it is no longer the user's (after a reset); answers whether it did. */
export async function removeStaleInitialPassword(dataDir: string, previousHash: string): Promise<boolean> {
  const path = initialPasswordPath(dataDir);
  if (!existsSync(path)) return false;
  if (!(await verifyPassword(readFileSync(path, 'utf8').trim(), previousHash))) return false;
  rmSync(path, { force: true });
  return true;
}
