import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKeyOf, isRefusal, LoginThrottle, type LoginAttempt, type ThrottleRefusal } from '../../src/service/login-throttle.ts';
import { PasswordCheckGate } from '../../src/service/password-check-gate.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';

function fail(throttle: LoginThrottle, account: string, address: string): ThrottleRefusal | undefined {
  const attempt = throttle.begin(account, address);
  if (isRefusal(attempt)) return attempt;
  attempt.failed();
  return undefined;
}

test('five failures per account and address are free; then one attempt per pause, the pause doubling up to 5 minutes', () => {
  const t = clock();
  const throttle = new LoginThrottle(t.now);
  for (let i = 0; i < 5; i += 1) assert.equal(fail(throttle, 'a@example.com', ATTACKER), undefined);
  const pauses: number[] = [];
  for (let i = 0; i < 12; i += 1) {
    const refusal = throttle.begin('A@example.com', ATTACKER);
    assert.ok(isRefusal(refusal), 'refused at once, letter case of the email ignored');
    assert.equal(refusal.reason, 'account_address');
    pauses.push(refusal.retryAfterSeconds);
    t.advance(refusal.retryAfterSeconds * 1000);
    assert.equal(fail(throttle, 'a@example.com', ATTACKER), undefined, 'after the pause one attempt is admitted');
  }
  assert.deepEqual(pauses, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
});

test('someone else\'s failures never hold back the owner at another address; a success clears only its own count', () => {
  const t = clock();
  const throttle = new LoginThrottle(t.now);
  for (let i = 0; i < 12; i += 1) fail(throttle, 'owner@example.com', ATTACKER);
  assert.ok(isRefusal(throttle.begin('owner@example.com', ATTACKER)));
  const owner = throttle.begin('owner@example.com', OWNER);
  assert.ok(!isRefusal(owner), 'the owner\'s address is not throttled');
  owner.succeeded();
  assert.ok(isRefusal(throttle.begin('owner@example.com', ATTACKER)), 'the owner\'s success does not free the attacker');

  for (let i = 0; i < 4; i += 1) fail(throttle, 'owner@example.com', OWNER);
  (throttle.begin('owner@example.com', OWNER) as LoginAttempt).succeeded();
  for (let i = 0; i < 5; i += 1) assert.equal(fail(throttle, 'owner@example.com', OWNER), undefined, 'a success starts the count again');
});

test('checks still running count as failures, and one address runs two at once: 300 parallel guesses at a time get five checks in all', () => {
  const throttle = new LoginThrottle(clock().now);
  const admittedPerRound: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const outcomes = Array.from({ length: 300 }, () => throttle.begin('a@example.com', ATTACKER));
    const admitted = outcomes.filter((o): o is LoginAttempt => !isRefusal(o));
    for (const refusal of outcomes.filter(isRefusal)) assert.ok(refusal.retryAfterSeconds >= 1);
    admittedPerRound.push(admitted.length);
    for (const attempt of admitted) attempt.failed();
  }
  assert.deepEqual(admittedPerRound, [2, 2, 1, 0, 0]);
});

test('a check that ends without a verdict (store down, checks busy) counts nothing; a client with failures is suspect', () => {
  const throttle = new LoginThrottle(clock().now);
  const first = throttle.begin('a@example.com', ATTACKER) as LoginAttempt;
  assert.equal(first.suspect, false);
  first.abandoned();
  for (let i = 0; i < 4; i += 1) (throttle.begin('a@example.com', ATTACKER) as LoginAttempt).failed();
  const fifth = throttle.begin('a@example.com', ATTACKER) as LoginAttempt;
  assert.ok(!isRefusal(fifth), 'the abandoned check was not counted');
  assert.equal(fifth.suspect, true);
  assert.equal((throttle.begin('b@example.com', OWNER) as LoginAttempt).suspect, false);
});

test('per address: twenty failures over any accounts, then the address is refused for every account; a success does not reset it', () => {
  const t = clock();
  const throttle = new LoginThrottle(t.now);
  for (let i = 0; i < 20; i += 1) assert.equal(fail(throttle, `user-${i}@example.com`, ATTACKER), undefined);
  (throttle.begin('mine@example.com', '192.0.2.1') as LoginAttempt).succeeded();
  const refused = throttle.begin('someone-new@example.com', ATTACKER);
  assert.ok(isRefusal(refused));
  assert.equal(refused.reason, 'address');
  assert.ok(!isRefusal(throttle.begin('someone-new@example.com', OWNER)), 'other addresses are not affected');
  t.advance(15 * 60_000 + 1);
  assert.ok(!isRefusal(throttle.begin('someone-new@example.com', ATTACKER)), 'a quiet quarter of an hour forgets');
});

test('an IPv6 client is its /64; an IPv4-mapped address is the IPv4 address', () => {
  assert.equal(clientKeyOf('2001:db8:1:2:aaaa::1'), clientKeyOf('2001:db8:1:2:bbbb::2'));
  assert.notEqual(clientKeyOf('2001:db8:1:2::1'), clientKeyOf('2001:db8:1:3::1'));
  assert.equal(clientKeyOf('::ffff:192.0.2.1'), '192.0.2.1');
  const throttle = new LoginThrottle(clock().now);
  for (let i = 0; i < 5; i += 1) fail(throttle, 'a@example.com', `2001:db8:1:2::${i + 1}`);
  assert.ok(isRefusal(throttle.begin('a@example.com', '2001:db8:1:2::99')));
});

test('the password check gate runs a few at once, queues a bounded number, and refuses the rest at once', async () => {
  const gate = new PasswordCheckGate(2, 3);
  const first = await gate.enter();
  const second = await gate.enter();
  assert.ok(first && second);
  const queued = [gate.enter(), gate.enter(), gate.enter()];
  assert.equal(await gate.enter(), undefined, 'beyond the queue: refused without waiting');
  first();
  first(); // a second release of the same slot frees nothing more
  const third = await queued[0];
  assert.ok(third, 'a released slot passes to the first in the queue');
  const late = gate.enter();
  assert.equal(await gate.enter(), undefined, 'two running, three waiting again');
  second();
  third();
  for (const waiting of [...queued.slice(1), late]) (await waiting)?.();
  const [a, b] = [await gate.enter(), await gate.enter()];
  assert.ok(a && b, 'every slot came back');
});

test('checks of clients with failures wait behind the others, and give up their place in a full queue to them', async () => {
  const gate = new PasswordCheckGate(1, 2);
  const running = await gate.enter();
  assert.ok(running);
  const order: string[] = [];
  const take = (name: string, later: boolean) => gate.enter(later).then((release) => {
    order.push(release ? name : `${name} refused`);
    release?.();
  });
  const guesses = [take('guess 1', true), take('guess 2', true)];
  assert.equal(await gate.enter(true), undefined, 'a full queue refuses another guess');
  const owner = take('owner', false);
  running();
  await Promise.all([...guesses, owner]);
  assert.deepEqual(order, ['guess 2 refused', 'owner', 'guess 1']);
});
