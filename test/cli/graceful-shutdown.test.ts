import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pendingWork } from '../../src/cli/graceful-shutdown.ts';

test('a drain past its deadline names what it still waits for', () => {
  const none = { requestsInFlight: 0, connectionsOpen: 0, passInProgress: false };
  assert.equal(pendingWork({ ...none, requestsInFlight: 1, connectionsOpen: 1 }), '1 request in flight');
  assert.equal(pendingWork({ requestsInFlight: 3, connectionsOpen: 4, passInProgress: true }), '3 requests in flight and a reconcile pass');
  assert.equal(pendingWork({ ...none, connectionsOpen: 2 }), '2 connections open');
  assert.equal(pendingWork({ ...none, passInProgress: true }), 'a reconcile pass');
  assert.equal(pendingWork(none), 'closing the store');
});
