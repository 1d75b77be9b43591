import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { readDockerfile, readSystemdUnit } from '../support/deploy-files.ts';

const DEFAULT_SHUTDOWN_TIMEOUT_MS = loadConfig([], {}).shutdownTimeoutMs;

/** systemd's time span ("30s", "1min 30s", "90") in milliseconds. */
function timeSpanMs(value: string): number {
  const units: Record<string, number> = { '': 1000, s: 1000, sec: 1000, m: 60_000, min: 60_000, ms: 1 };
  return [...value.matchAll(/(\d+)\s*([a-z]*)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? ''] ?? NaN), 0);
}

for (const name of ['vpngw.service', 'vpngw-files.service']) {
  test(`${name} gives the drain on SIGTERM more time than VPNGW_SHUTDOWN_TIMEOUT_MS before it kills`, () => {
    const service = readSystemdUnit(`deploy/systemd/${name}`).Service ?? {};
    const stopMs = timeSpanMs(service.TimeoutStopSec?.at(-1) ?? '90s');
    assert.ok(stopMs > DEFAULT_SHUTDOWN_TIMEOUT_MS + 5000, `TimeoutStopSec ${stopMs} ms, shutdown timeout ${DEFAULT_SHUTDOWN_TIMEOUT_MS} ms`);
    assert.equal(service.KillSignal?.at(-1) ?? 'SIGTERM', 'SIGTERM');
  });
}

test('the container stops by SIGTERM and drains within the 10 s docker stop waits', () => {
  const runtime = readDockerfile('deploy/Dockerfile').at(-1);
  const instructions = runtime?.instructions ?? [];
  assert.equal(instructions.find((i) => i.keyword === 'STOPSIGNAL')?.args, 'SIGTERM');
  const env = instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
  const timeoutMs = Number(/\bVPNGW_SHUTDOWN_TIMEOUT_MS=(\d+)/.exec(env)?.[1] ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  assert.ok(timeoutMs < 10_000, `VPNGW_SHUTDOWN_TIMEOUT_MS ${timeoutMs} ms`);
});
