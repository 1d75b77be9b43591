import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LinuxDriver } from '../../../src/agent/linux/linux-driver.ts';

test('the linux driver sweeps what a killed write left: temp files (private keys, PSKs) and key files, and nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-sweep-'));
  try {
    const runner = { run: async () => ({ code: 1, stdout: '', stderr: 'a fake runner runs nothing' }) };
    const driver = new LinuxDriver({ stateDir: dir, ipsecBackend: 'libipsec', runner });
    const charonDir = join(dir, 'ipsec', '1d2e3f4a-5b6c-4d7e-8f80-91a2b3c4d5e6');
    mkdirSync(charonDir, { recursive: true });
    const leftovers = [join(dir, 'vg0123456789abc.key'), join(dir, 'gateways.json.0123456789ab.tmp'), join(charonDir, 'swanctl.conf.ba9876543210.tmp')];
    const kept = [join(dir, 'gateways.json'), join(charonDir, 'swanctl.conf')];
    for (const path of [...leftovers, ...kept]) writeFileSync(path, 'secret', { mode: 0o600 });
    await driver.sweepInterruptedWrites();
    for (const path of leftovers) assert.equal(existsSync(path), false, path);
    for (const path of kept) assert.equal(existsSync(path), true, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
