import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from '../../src/service/login-throttle.ts';

function fakeClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return { clock: () => now, advance: (ms: number) => { now += ms; }, slept, sleep: async (ms: number) => { slept.push(ms); } };
}

test('five failures are free, then each attempt waits 250 ms, doubling up to 10 s', async () => {
  const t = fakeClock();
  const throttle = new LoginThrottle(t.clock, t.sleep);
  for (let i = 0; i < 5; i += 1) {
    assert.equal(throttle.delayFor('a@example.com'), 0);
    throttle.recordFailure('a@example.com');
  }
  const delays = [];
  for (let i = 0; i < 8; i += 1) {
    delays.push(throttle.delayFor('A@example.com'));
    throttle.recordFailure('a@example.com');
  }
  assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
  await throttle.waitTurn('a@example.com');
  assert.deepEqual(t.slept, [10000]);
});

test('other accounts are not slowed; a success or a quiet quarter of an hour resets', () => {
  const t = fakeClock();
  const throttle = new LoginThrottle(t.clock, t.sleep);
  for (let i = 0; i < 7; i += 1) throttle.recordFailure('a@example.com');
  assert.ok(throttle.delayFor('a@example.com') > 0);
  assert.equal(throttle.delayFor('b@example.com'), 0);
  throttle.recordSuccess('a@example.com');
  assert.equal(throttle.delayFor('a@example.com'), 0);
  for (let i = 0; i < 7; i += 1) throttle.recordFailure('a@example.com');
  t.advance(15 * 60_000 + 1);
  assert.equal(throttle.delayFor('a@example.com'), 0);
  throttle.recordFailure('a@example.com');
  assert.equal(throttle.delayFor('a@example.com'), 0, 'counting starts again');
});
