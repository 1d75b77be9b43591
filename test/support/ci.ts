import { pathToFileURL } from 'node:url';

const FALSE = new Set(['', '0', 'false', 'no', 'off']);

/**
 * Whether the tests run under CI, where a missing prerequisite fails instead of skipping: any truthy
 * `CI` (`true`, `1`, `yes`, as CI systems set it), not `0`, `false`, `no`, `off` or empty.
 */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return !FALSE.has((env.CI ?? '').trim().toLowerCase());
}

// `node --import tsx test/support/ci.ts` exits 0 under CI, 1 otherwise: the same rule for scripts/run-tests.sh.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(isCi() ? 0 : 1);
