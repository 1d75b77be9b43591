import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerRotation } from '../../../src/agent/remote/server-rotation.ts';

test('a failure moves to the next server at once, round-robin; once all failed in a row each move waits longer, capped', () => {
  const rotation = new ServerRotation(['http://a', 'http://b', 'http://c'], { initialMs: 100, maxMs: 350 });
  assert.equal(rotation.current, 'http://a');
  assert.equal(rotation.failed(), 0);
  assert.equal(rotation.current, 'http://b');
  assert.equal(rotation.failed(), 0);
  assert.equal(rotation.current, 'http://c');
  assert.equal(rotation.failed(), 100, 'every server failed once');
  assert.equal(rotation.current, 'http://a');
  assert.deepEqual([rotation.failed(), rotation.failed(), rotation.failed()], [100, 100, 200]);
  assert.deepEqual([rotation.failed(), rotation.failed(), rotation.failed()], [200, 200, 350]);
});

test('a success keeps the current server and forgets the failures', () => {
  const rotation = new ServerRotation(['http://a', 'http://b'], { initialMs: 100, maxMs: 1000 });
  rotation.failed();
  rotation.failed();
  rotation.failed();
  assert.equal(rotation.current, 'http://b');
  rotation.succeeded();
  assert.equal(rotation.current, 'http://b');
  assert.equal(rotation.failed(), 0);
});

test('one server: every failure after the first waits', () => {
  const rotation = new ServerRotation(['http://only']);
  assert.equal(rotation.failed(), 500);
  assert.equal(rotation.current, 'http://only');
  assert.throws(() => new ServerRotation([]));
});
