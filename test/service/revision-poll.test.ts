import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { InProcessChangeFeed } from '../../src/service/change-feed.ts';
import { RevisionPoll } from '../../src/service/revision-poll.ts';

test('the revision poll wakes waiting watches only when the revision rose since its last look, and skips a failed look', async () => {
  const feed = new InProcessChangeFeed();
  let revision = 7;
  let failing = false;
  const poll = new RevisionPoll({
    feed, logger: pino({ level: 'silent' }), intervalMs: 60_000,
    readRevision: async () => { if (failing) throw new Error('store unavailable'); return revision; },
  });
  await poll.start(); // the first look: 7
  try {
    const woken = feed.next(5_000);
    await poll.poll();
    assert.equal(feed.waiting, 1, 'an unchanged revision wakes nobody');
    revision = 8;
    failing = true;
    await poll.poll();
    assert.equal(feed.waiting, 1, 'a failed look wakes nobody');
    failing = false;
    await poll.poll();
    assert.equal(await woken, true, 'a rise wakes the watch');
    revision = 9;
    await poll.poll(); // nobody waits: nothing to wake, but the rise is seen
    const next = feed.next(50);
    await poll.poll();
    assert.equal(await next, false, 'a rise seen before the watch began does not wake it again');
  } finally {
    poll.stop();
  }
});
