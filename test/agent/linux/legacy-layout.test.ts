import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Shell, type CommandRunner } from '../../../src/agent/linux/command-runner.ts';
import { removeLegacyLayout } from '../../../src/agent/linux/legacy-layout.ts';
import { wireguardInterfaceName } from '../../../src/agent/linux/names.ts';

/** A fake command runner: records each command and answers success. */
function recordingFakeRunner(calls: string[]): CommandRunner {
  return { run: async (command, args) => (calls.push(`${command} ${args.join(' ')}`), { code: 0, stdout: '', stderr: '' }) };
}

test('an upgraded service removes the WireGuard interfaces and the shared charon files an earlier version left in the host namespace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-legacy-'));
  try {
    const id = '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5';
    writeFileSync(join(dir, 'wireguard-gateways.json'), JSON.stringify([id]));
    mkdirSync(join(dir, 'ipsec', 'gateways'), { recursive: true });
    writeFileSync(join(dir, 'ipsec', 'swanctl.conf'), 'secrets { }');
    mkdirSync(join(dir, 'ipsec', '1d2e3f4a-5b6c-4d7e-8f80-91a2b3c4d5e6'));
    const calls: string[] = [];
    const runner = recordingFakeRunner(calls);
    await removeLegacyLayout(dir, new Shell(runner, 'hostns'), runner, 'libipsec');
    assert.deepEqual(calls, [`ip netns exec hostns ip link del dev ${wireguardInterfaceName(id)}`]);
    assert.equal(existsSync(join(dir, 'wireguard-gateways.json')), false);
    assert.equal(existsSync(join(dir, 'ipsec', 'swanctl.conf')), false, 'the shared PSK file is gone');
    assert.equal(existsSync(join(dir, 'ipsec', 'gateways')), false);
    assert.equal(existsSync(join(dir, 'ipsec', '1d2e3f4a-5b6c-4d7e-8f80-91a2b3c4d5e6')), true, 'a gateway\'s own charon directory stays');
    calls.length = 0;
    await removeLegacyLayout(dir, new Shell(runner, 'hostns'), runner, 'libipsec');
    assert.deepEqual(calls, [], 'nothing to do the second time');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
