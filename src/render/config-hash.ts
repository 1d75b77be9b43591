import { createHash } from 'node:crypto';

/** SHA-256 hex digest of a rendered config, used to skip an apply when nothing changed. */
export function renderedConfigHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
