#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`, which `npm ci` runs as `prepare`) with plain node.
// In a checkout whose sources changed after that build, it runs the sources through tsx instead, so an
// outdated build never answers for the code beside it.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const compiled = new URL('dist/main.js', root);
const sources = new URL('src/', root);

/** The latest modification time under a directory (a deleted file changes its directory's). */
function latestChange(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.isDirectory() ? `${entry.name}/` : entry.name, dir);
    latest = Math.max(latest, entry.isDirectory() ? latestChange(path) : statSync(path).mtimeMs);
  }
  return latest;
}

async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const built = existsSync(compiled);
const outdated = built && existsSync(sources) && latestChange(sources) > statSync(compiled).mtimeMs;
const tsx = !built || outdated ? await loadTsx() : undefined;

if (tsx) {
  tsx.register();
  await import(new URL('src/main.ts', root).href);
} else if (built) {
  if (outdated) process.stderr.write('vpngw: src/ changed after the last build and tsx is not installed; running dist/ (npm run build updates it)\n');
  await import(compiled.href);
} else {
  process.stderr.write('vpngw: no compiled build in dist/: run `npm run build` (or `npm ci`, which builds)\n');
  process.exitCode = 1;
}
