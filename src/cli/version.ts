import { readFileSync } from 'node:fs';
import { buildSchemaVersion } from '../store/schema-version.ts';

/** The version in package.json, which is what a release is tagged with. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
}

/** `vpngw version` and `vpngw --version`: the release and the store schema it migrates to. */
export function printVersion(): number {
  const schema = buildSchemaVersion();
  process.stdout.write(`vpngw ${packageVersion()}\nschema ${schema.number} (${schema.name})\n`);
  return 0;
}
