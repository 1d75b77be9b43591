import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { hasExecutable } from '../../src/agent/linux/prerequisites.ts';
import { isCi } from '../support/ci.ts';
import { boundingCapabilities, readSystemdUnit, REPO_ROOT } from '../support/deploy-files.ts';

const UNIT_DIR = 'deploy/systemd';
const UNITS = readdirSync(join(REPO_ROOT, UNIT_DIR)).filter((name) => name.endsWith('.service')).sort();

/** systemd-analyze is needed; outside CI its absence skips loudly, under CI it fails. */
function requireSystemdAnalyze(t: TestContext): boolean {
  if (hasExecutable('systemd-analyze')) return true;
  const message = 'systemd-analyze is missing (Debian package systemd; scripts/install-test-prerequisites.sh installs it as root)';
  if (isCi()) throw new Error(`under CI, ${message}`);
  process.stderr.write(`\n!!! SKIPPING the systemd unit checks: ${message}\n\n`);
  t.skip(message);
  return false;
}

function verify(path: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('systemd-analyze', ['verify', path], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const SERVE_UNITS = ['vpngw-files.service', 'vpngw.service'];

test('the deployment ships the linux-driver unit, the files-driver unit and the gateway host agent\'s unit', () => {
  assert.deepEqual(UNITS, ['vpngw-agent.service', 'vpngw-files.service', 'vpngw.service']);
});

for (const name of UNITS) {
  test(`systemd-analyze verify accepts ${UNIT_DIR}/${name}`, async (t) => {
    if (!requireSystemdAnalyze(t)) return;
    // verify checks that ExecStart's program exists: point it at this machine's node.
    const dir = mkdtempSync(join(tmpdir(), 'vpngw-unit-'));
    try {
      const text = readFileSync(join(REPO_ROOT, UNIT_DIR, name), 'utf8');
      assert.match(text, /^ExecStart=\/usr\/bin\/node /m);
      const path = join(dir, name);
      writeFileSync(path, text.replaceAll('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
      const { code, output } = await verify(path);
      const aboutThisUnit = output.split('\n').filter((line) => line.includes(name));
      assert.equal(code, 0, output);
      assert.deepEqual(aboutThisUnit, [], output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the linux-driver unit: root held to the three capabilities the driver uses, tunnels kept across restarts, no private mount namespace', () => {
  const service = readSystemdUnit(`${UNIT_DIR}/vpngw.service`).Service ?? {};
  assert.deepEqual(boundingCapabilities({ Service: service }).sort(), ['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_ADMIN']);
  assert.deepEqual(service.NoNewPrivileges, ['yes']);
  assert.deepEqual(service.KillMode, ['process']);
  assert.equal(service.User, undefined, 'the linux driver runs as root');
  assert.ok(service.Environment?.some((value) => value.split(/\s+/).includes('VPNGW_DRIVER=linux')));
  // Each of these gives the service its own mount namespace, where `ip netns add` mounts would stay.
  for (const key of ['ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables', 'ReadWritePaths', 'ReadOnlyPaths', 'PrivateMounts']) {
    assert.equal(service[key], undefined, `${key}= would hide the gateways' namespaces from the host and from the next start`);
  }
});

test('the files-driver unit: an unprivileged user in a read-only system with only the data directory writable', () => {
  const unit = readSystemdUnit(`${UNIT_DIR}/vpngw-files.service`);
  const service = unit.Service ?? {};
  assert.deepEqual(boundingCapabilities(unit), []);
  assert.ok(service.User?.[0] && service.User[0] !== 'root');
  for (const [key, value] of Object.entries({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', StateDirectory: 'vpngw' })) {
    assert.deepEqual(service[key], [value], key);
  }
  assert.ok(service.Environment?.some((value) => value.split(/\s+/).includes('VPNGW_DATA_DIR=/var/lib/vpngw')), 'the data directory is the StateDirectory');
});

test('both serve units run the installed compiled command and keep the packaged strongSwan from holding the IKE ports', () => {
  for (const name of SERVE_UNITS) {
    const unit = readSystemdUnit(`${UNIT_DIR}/${name}`);
    assert.deepEqual(unit.Service?.ExecStart, ['/usr/bin/node /opt/vpngw/bin/vpngw.js serve'], name);
  }
  const conflicts = (readSystemdUnit(`${UNIT_DIR}/vpngw.service`).Unit?.Conflicts ?? []).flatMap((value) => value.split(/\s+/));
  assert.ok(conflicts.includes('strongswan.service'));
});

test('both serve units reload the TLS certificate by SIGHUP to the service\'s own process, not to the daemons in its cgroup', () => {
  for (const name of SERVE_UNITS) {
    const unit = readSystemdUnit(`${UNIT_DIR}/${name}`);
    assert.deepEqual(unit.Service?.ExecReload, ['/bin/kill -HUP $MAINPID'], name);
  }
});

test('the agent\'s unit: the installed agent as root held to the linux driver\'s capabilities, tunnels kept across restarts, the packaged strongSwan kept away', () => {
  const unit = readSystemdUnit(`${UNIT_DIR}/vpngw-agent.service`);
  const service = unit.Service ?? {};
  assert.deepEqual(service.ExecStart, ['/usr/bin/node /opt/vpngw/bin/vpngw.js agent']);
  assert.deepEqual(boundingCapabilities(unit).sort(), ['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_ADMIN']);
  assert.deepEqual(service.NoNewPrivileges, ['yes']);
  assert.deepEqual(service.KillMode, ['process']);
  assert.deepEqual(service.StateDirectory, ['vpngw-agent']);
  assert.ok(service.Environment?.some((value) => value.split(/\s+/).includes('VPNGW_AGENT_DATA_DIR=/var/lib/vpngw-agent')), 'the data directory is the StateDirectory');
  for (const key of ['ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateMounts']) assert.equal(service[key], undefined, key);
  const conflicts = (unit.Unit?.Conflicts ?? []).flatMap((value) => value.split(/\s+/));
  assert.ok(conflicts.includes('strongswan.service'));
});
