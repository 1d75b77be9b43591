import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { isCi } from './ci.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium without a sandbox (tests run as root), GPU, QUIC or any background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Skips loudly without Chromium; under CI a missing browser fails, so a page cannot go untested. */
export function requireChromium(t: TestContext, what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `${what} needs Chromium at ${CHROMIUM} (Debian package chromium; scripts/install-test-prerequisites.sh installs it as root)`;
  if (isCi()) throw new Error(`under CI, ${message}`);
  process.stderr.write(`\n!!! SKIPPING: ${message}\n\n`);
  t.skip(message);
  return false;
}
