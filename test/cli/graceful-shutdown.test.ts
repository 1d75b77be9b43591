import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pendingWork } from '../../src/cli/graceful-shutdown.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('a drain past its deadline names what it still waits for', () => {
  const none = { requestsInFlight: 0, connectionsOpen: 0, passInProgress: false };
  assert.equal(pendingWork({ ...none, requestsInFlight: 1, connectionsOpen: 1 }), '1 request in flight');
  assert.equal(pendingWork({ requestsInFlight: 3, connectionsOpen: 4, passInProgress: true }), '3 requests in flight and a reconcile pass');
  assert.equal(pendingWork({ ...none, connectionsOpen: 2 }), '2 connections open');
  assert.equal(pendingWork({ ...none, passInProgress: true }), 'a reconcile pass');
  assert.equal(pendingWork(none), 'closing the store');
});

test('the shutdown timeout: 15 s by default, from --shutdown-timeout or VPNGW_SHUTDOWN_TIMEOUT_MS, an integer of milliseconds', () => {
  assert.equal(loadConfig([], {}).shutdownTimeoutMs, 15_000);
  assert.equal(loadConfig([], { VPNGW_SHUTDOWN_TIMEOUT_MS: '8000' }).shutdownTimeoutMs, 8000);
  assert.equal(loadConfig(['--shutdown-timeout', '2500'], { VPNGW_SHUTDOWN_TIMEOUT_MS: '8000' }).shutdownTimeoutMs, 2500);
  for (const bad of ['15s', '-1', '50']) {
    assert.throws(() => loadConfig([], { VPNGW_SHUTDOWN_TIMEOUT_MS: bad }), (error: unknown) =>
      error instanceof ConfigError && /VPNGW_SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 3600000/.test(error.message));
  }
});
