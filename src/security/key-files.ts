import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.ts';

/**
 * A 32-byte key: from the configured base64 value when given, else from the data directory,
 * generated there once with mode 0600.
 */
export function loadOrCreateKey(dataDir: string, fileName: string, configured: string | undefined, settingName: string): Buffer {
  if (configured !== undefined && configured !== '') {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new Error(`${settingName} must be the base64 encoding of 32 bytes.`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, fileName);
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path} does not hold a base64 32-byte key.`);
    return key;
  }
  const key = randomBytes(32);
  writeFileAtomic(path, `${key.toString('base64')}\n`);
  return key;
}
