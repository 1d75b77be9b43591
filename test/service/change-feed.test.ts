import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessChangeFeed } from '../../src/service/change-feed.ts';

test('notify wakes every waiting watch at once; a wait ends by itself or when its client goes away', async () => {
  const feed = new InProcessChangeFeed();
  const waits = [feed.next(10_000), feed.next(10_000)];
  assert.equal(feed.waiting, 2);
  feed.notify();
  assert.deepEqual(await Promise.all(waits), [true, true]);
  assert.equal(feed.waiting, 0);

  assert.equal(await feed.next(20), false, 'timed out');
  const gone = new AbortController();
  const aborted = feed.next(10_000, gone.signal);
  gone.abort();
  assert.equal(await aborted, false);
  assert.equal(feed.waiting, 0, 'nothing is held for a watch that ended');
  assert.equal(await feed.next(10_000, gone.signal), false, 'an aborted signal does not wait at all');
});
