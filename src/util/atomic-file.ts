import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a file with mode 0600 so that readers see the old or the new content, never a part. */
export function writeFileAtomic(path: string, content: string): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true }); // a partial copy of a key or PSK must not stay behind
    throw error;
  }
}

/** The temporary files writeFileAtomic makes: `<name>.<12 hex digits>.tmp`. */
export const ATOMIC_TEMP_FILE = /\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes, below `dir`, the files whose names match: what a process killed in the middle of a write
 * left behind (a temp file may hold a private key or a PSK). Only for directories whose writer is
 * not running at the same time.
 */
export function removeFilesMatching(dir: string, pattern: RegExp): number {
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removed += removeFilesMatching(path, pattern);
    else if (pattern.test(entry.name)) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
