import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { copyArguments, readDockerfile, REPO_ROOT, type DockerStage } from '../support/deploy-files.ts';
import { freePort } from '../support/free-port.ts';

const DOCKERFILE = 'deploy/Dockerfile';
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; hasInstallScript?: boolean }>;
};

function run(command: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

function stage(stages: DockerStage[], name: string): DockerStage {
  const found = stages.find((s) => s.name === name);
  assert.ok(found, `${DOCKERFILE} has a stage named ${name}`);
  return found;
}

function workdir(s: DockerStage): string {
  const dir = s.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args;
  assert.ok(dir !== undefined && dir.startsWith('/'), `stage ${s.name} sets an absolute WORKDIR`);
  return dir;
}

const runLines = (s: DockerStage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

test('the Dockerfile: its build stage runs package.json scripts and rebuilds every production package that has an install step', () => {
  const build = stage(readDockerfile(DOCKERFILE), 'build');
  const commands = runLines(build).join(' && ');
  for (const [, script] of commands.matchAll(/npm run (\S+)/g)) assert.ok(script && packageJson.scripts[script], `package.json has the script ${script}`);
  assert.match(commands, /npm ci\b/, 'dependencies come from the lock');
  assert.match(commands, /npm prune --omit=dev\b/, 'the runtime gets production dependencies only');
  const rebuilt = [...commands.matchAll(/npm rebuild ([^&|;]+)/g)].flatMap(([, names]) => names?.trim().split(/\s+/) ?? []).sort();
  const needed = Object.entries(lock.packages)
    .filter(([path, entry]) => path && entry.hasInstallScript && !entry.dev)
    .map(([path]) => path.replace(/^.*node_modules\//, ''))
    .sort();
  assert.deepEqual(rebuilt, needed, '`npm ci --ignore-scripts` skipped these install steps');
  for (const instruction of build.instructions.filter((i) => i.keyword === 'COPY')) {
    for (const source of copyArguments(instruction).sources) assert.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source}: it exists`);
  }
});

test('the runtime stage\'s tree (production dependencies, compiled JavaScript, no compiler) serves the API with plain node', async (t) => {
  const stages = readDockerfile(DOCKERFILE);
  const build = stage(stages, 'build');
  const runtime = stage(stages, 'runtime');
  const work = mkdtempSync(join(tmpdir(), 'vpngw-image-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const buildDir = join(work, 'build');
  const rootfs = join(work, 'rootfs');
  mkdirSync(buildDir);

  // The build stage's result: the lock's production dependencies and src/ compiled to dist/.
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(REPO_ROOT, file), join(buildDir, file));
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], buildDir);
  // better-sqlite3's install step compiles its addon (minutes); the checkout's own build of the same version stands in.
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  assert.equal(lock.packages['node_modules/better-sqlite3']?.version, JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')).version);
  mkdirSync(dirname(join(buildDir, addon)), { recursive: true });
  copyFileSync(join(REPO_ROOT, addon), join(buildDir, addon));
  await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(buildDir, 'dist')], REPO_ROOT);
  assert.match(packageJson.scripts.build ?? '', /scripts\/build-console\.js/, 'npm run build bundles the web console too');
  await run(process.execPath, [join(REPO_ROOT, 'scripts/build-console.js'), join(buildDir, 'dist/console')], REPO_ROOT);

  // The runtime stage: exactly what its COPY instructions bring.
  const buildWorkdir = workdir(build);
  const runtimeWorkdir = workdir(runtime);
  for (const instruction of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
    const { from, sources, destination } = copyArguments(instruction);
    const target = join(rootfs, destination.startsWith('/') ? destination : join(runtimeWorkdir, destination));
    for (const source of sources) {
      if (from !== undefined) assert.equal(from, build.name, `COPY --from=${from}`);
      const origin = from === undefined ? join(REPO_ROOT, source) : join(buildDir, relative(buildWorkdir, source));
      assert.ok(existsSync(origin), `COPY ${from ? `--from=${from} ` : ''}${source}: it exists`);
      cpSync(origin, target, { recursive: true, verbatimSymlinks: true });
    }
  }
  const app = join(rootfs, runtimeWorkdir);
  for (const compiler of ['typescript', 'tsx', 'esbuild']) assert.ok(!existsSync(join(app, 'node_modules', compiler)), `no ${compiler} in the image`);
  assert.ok(!existsSync(join(app, 'src')), 'no TypeScript sources in the image');
  const link = runLines(runtime).map((line) => /ln -s (\S+) (\S+)/.exec(line)).find(Boolean);
  assert.ok(link?.[1] && existsSync(join(rootfs, link[1])), 'the vpngw command links to a file the image has');

  const env = Object.fromEntries(runtime.instructions.filter((i) => i.keyword === 'ENV')
    .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map(([, key, value]) => [key, value])));
  const port = await freePort();
  const dataDir = join(work, 'data');
  const child = spawn(process.execPath, [join(rootfs, link[1]), 'serve'], {
    cwd: work,
    env: {
      PATH: process.env.PATH, ...env, VPNGW_HOST: '127.0.0.1', VPNGW_PORT: String(port), VPNGW_DATA_DIR: dataDir,
      VPNGW_ADMIN_PASSWORD: 'production-build-test', VPNGW_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  t.after(() => child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
    assert.equal(child.exitCode, null, `the service exited: ${output}`);
    assert.ok(Date.now() < deadline, `no answer on /healthz within 30 s: ${output}`);
    if (await fetch(`${base}/healthz`).then((res) => res.ok, () => false)) break;
  }
  const auth = `Basic ${Buffer.from('admin@vpngw.local:production-build-test').toString('base64')}`;
  const list = await fetch(`${base}/wireguardgateways`, { headers: { authorization: auth } });
  assert.equal(list.status, 200, 'the API, the store (SQLite addon) and authentication work');
  const page = await fetch(`${base}/console/`);
  assert.equal(page.status, 200, 'the web console is served from dist/console');
  const script = /src="([^"]+\.js)"/.exec(await page.text())?.[1];
  assert.equal(script && (await fetch(`${base}${script}`)).status, 200, 'with its script');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});
