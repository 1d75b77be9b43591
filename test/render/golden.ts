import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));

/** Asserts `actual` equals test/render/golden/<name> byte for byte; UPDATE_GOLDEN=1 rewrites the file instead. */
export function assertGolden(name: string, actual: string): void {
  const path = `${goldenDir}${name}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    assert.fail(`golden file ${name} is missing: run the tests with UPDATE_GOLDEN=1 and review it`);
  }
  assert.equal(actual, expected, `rendered text differs from golden file ${name}`);
}
