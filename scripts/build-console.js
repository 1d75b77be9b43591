// Builds the web console (console/) into dist/console/: one minified script and one stylesheet with
// content hashes in their names, and index.html naming them. Run by `npm run build`.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Bundles the console into outDir (default dist/console); answers the asset names index.html references. */
export async function buildConsole(outDir = join(root, 'dist/console')) {
  // Built beside the target and swapped in whole, so a server starting meanwhile never reads half a build.
  const staging = `${outDir}.building-${process.pid}`;
  const assets = join(staging, 'assets');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: join(root, 'console/src/main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: assets,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => name.endsWith('.js'));
  const style = outputs.find((name) => name.endsWith('.css'));
  if (!script || !style) throw new Error(`the console build made no script or stylesheet: ${outputs.join(', ')}`);
  const html = readFileSync(join(root, 'console/index.html'), 'utf8')
    .replace('%SCRIPT%', `/console/assets/${script}`)
    .replace('%STYLE%', `/console/assets/${style}`);
  writeFileSync(join(staging, 'index.html'), html);
  const previous = `${outDir}.previous-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(staging, outDir);
  rmSync(previous, { recursive: true, force: true });
  return { script, style };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole(process.argv[2]);
