import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertIonosError } from '../support/api-assertions.ts';
import { manualClock } from '../support/manual-clock.ts';
import { countingPasswordChecks } from '../support/password-checks.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basicAuth, eventually, startTestService, type TestResponse } from '../support/test-service.ts';

// Password guessing must cost the guesser, not the account's owner: counted here in password checks
// (scrypt runs) and answers, never in time.

const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';
const wrongPassword = { authorization: basicAuth(ADMIN_EMAIL, 'not-the-password') };

function assertThrottled(res: TestResponse, errorCode = 'TOO_MANY_LOGIN_ATTEMPTS') {
  assertIonosError(res, res.status === 503 ? 503 : 429, undefined, errorCode);
  assert.match(String(res.headers['retry-after']), /^[1-9][0-9]*$/, 'Retry-After in whole seconds');
}

async function metricValue(svc: { request: (m: string, u: string, b?: unknown, h?: Record<string, string>) => Promise<TestResponse> }, series: string) {
  const text = (await svc.request('GET', '/metrics', undefined, { authorization: '' })).text;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('after someone else\'s failures the owner\'s correct password succeeds at once; the guesser is refused without a password check', async () => {
  const checks = countingPasswordChecks();
  const clock = manualClock();
  const svc = await startTestService({ verifyPassword: checks.verify, now: clock.now });
  try {
    const answers: TestResponse[] = [];
    for (let i = 0; i < 12; i += 1) answers.push(await svc.request('GET', '/wireguardgateways', undefined, wrongPassword, ATTACKER));
    assert.deepEqual(answers.map((a) => a.status), [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    for (const refused of answers.slice(5)) assertThrottled(refused);
    assert.equal(checks.stats.count, 5, 'a refused attempt costs no password check');

    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, {}, OWNER)).status, 200, 'the owner, from another address');
    assert.equal(checks.stats.count, 6);
    assertThrottled(await svc.request('GET', '/wireguardgateways', undefined, {}, ATTACKER));
    assert.equal(checks.stats.count, 6, 'from the throttled address even the right password is not checked');

    clock.advance(Number(answers[11]?.headers['retry-after']) * 1000);
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, wrongPassword, ATTACKER), 401, undefined, 'UNAUTHORIZED');
    assertThrottled(await svc.request('GET', '/wireguardgateways', undefined, wrongPassword, ATTACKER));
    assert.equal(checks.stats.count, 7, 'after the pause: one more check, then the next pause');
    assert.equal(await metricValue(svc, 'vpngw_login_throttled_total{reason="account_address"}'), 9);
  } finally {
    await svc.stop();
  }
});

test('Bearer requests are never throttled, also from an address whose logins are', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ verifyPassword: checks.verify });
  try {
    const token = (await svc.request('GET', '/auth/v1/tokens/generate', undefined, {}, OWNER)).body.token as string;
    for (let i = 0; i < 8; i += 1) await svc.request('GET', '/wireguardgateways', undefined, wrongPassword, ATTACKER);
    assertThrottled(await svc.request('GET', '/wireguardgateways', undefined, wrongPassword, ATTACKER));
    const before = checks.stats.count;
    for (let i = 0; i < 20; i += 1) {
      assert.equal((await svc.request('GET', '/wireguardgateways', undefined, { authorization: `Bearer ${token}` }, ATTACKER)).status, 200);
    }
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, { authorization: 'Bearer not-a-token' }, ATTACKER), 401);
    assert.equal(checks.stats.count, before, 'Bearer tokens cost no password check');
  } finally {
    await svc.stop();
  }
});

test('300 parallel guesses from one address get no more password checks than five in a row would; the rest are 429 at once', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ verifyPassword: checks.verify });
  try {
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) =>
      svc.request('GET', '/wireguardgateways', undefined, { authorization: basicAuth(ADMIN_EMAIL, `guess-${i}`) }, ATTACKER)));
    const checked = answers.filter((a) => a.status === 401).length;
    assert.ok(checked >= 2 && checked <= 5, `${checked} checked`);
    assert.equal(checks.stats.count, checked);
    assert.ok(checks.stats.maxRunning <= 2, 'two checks at once per address');
    for (const res of answers.filter((a) => a.status !== 401)) assertThrottled(res);
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, {}, OWNER)).status, 200);
  } finally {
    await svc.stop();
  }
});

test('one address guessing over many accounts is refused after twenty failures, for every account', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ verifyPassword: checks.verify });
  try {
    const guess = (i: number, from = ATTACKER) =>
      svc.request('GET', '/wireguardgateways', undefined, { authorization: basicAuth(`someone-${i}@example.com`, 'password') }, from);
    for (let i = 0; i < 20; i += 1) assertIonosError(await guess(i), 401);
    assertThrottled(await guess(20));
    assertThrottled(await svc.request('GET', '/wireguardgateways', undefined, {}, ATTACKER));
    assert.equal(checks.stats.count, 20, 'unknown emails cost a check as known ones do, until the address is throttled');
    assertIonosError(await guess(21, '192.0.2.44'), 401);
    assert.equal(await metricValue(svc, 'vpngw_login_throttled_total{reason="address"}'), 2);
  } finally {
    await svc.stop();
  }
});

test('password checks at once are bounded: four run, 64 wait, the rest are 503 at once; Bearer requests still pass', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ verifyPassword: checks.verify });
  try {
    const token = (await svc.request('GET', '/auth/v1/tokens/generate')).body.token as string;
    checks.hold();
    const answered: TestResponse[] = [];
    const pending = Array.from({ length: 4 + 64 + 3 }, (_, i) =>
      svc.request('GET', '/wireguardgateways', undefined, { authorization: basicAuth(`user-${i}@example.com`, 'pw') }, `10.9.${i >> 8}.${i & 255}`)
        .then((res) => { answered.push(res); return res; }));
    await eventually(async () => answered.length === 3, 10_000, 'three refusals');
    for (const res of answered) {
      assertThrottled(res, 'BUSY');
      assert.equal(res.headers['retry-after'], '1');
    }
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, { authorization: basicAuth(ADMIN_EMAIL, ADMIN_PASSWORD) })).status, 200,
      'a login checked a moment ago is remembered and needs no check');
    checks.release();
    const all = await Promise.all(pending);
    assert.equal(all.filter((r) => r.status === 401).length, 68);
    assert.equal(checks.stats.maxRunning, 4);
    assert.equal(await metricValue(svc, 'vpngw_login_throttled_total{reason="busy"}'), 3);
  } finally {
    checks.release();
    await svc.stop();
  }
});

test('a login from a client without failures goes before the checks of guessing clients, also when their queue is full', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ verifyPassword: checks.verify });
  try {
    const guessers = Array.from({ length: 35 }, (_, i) => `10.8.0.${i + 1}`);
    for (const address of guessers) assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, wrongPassword, address), 401);
    checks.hold();
    const answered: TestResponse[] = [];
    // Four run, 64 wait, the 69th is refused: the queue is full of guesses.
    const guesses = Array.from({ length: 69 }, (_, i) =>
      svc.request('GET', '/wireguardgateways', undefined, { authorization: basicAuth(ADMIN_EMAIL, `guess-${i}`) }, guessers[i % 35])
        .then((res) => { answered.push(res); return res; }));
    await eventually(async () => answered.length === 1, 10_000, 'a full queue');
    const owner = svc.request('GET', '/wireguardgateways', undefined, {}, OWNER);
    await eventually(async () => answered.length === 2, 10_000, 'a guess pushed out of the queue');
    for (const res of answered) assertThrottled(res, 'BUSY');
    checks.release();
    assert.equal((await owner).status, 200);
    assert.equal(checks.stats.passwords.indexOf(ADMIN_PASSWORD), 35 + 4, 'the owner\'s check runs as soon as a slot is free');
    assert.equal((await Promise.all(guesses)).filter((r) => r.status === 401).length, 67);
  } finally {
    checks.release();
    await svc.stop();
  }
});

test('parallel first requests with the same correct credentials share one password check', async () => {
  const checks = countingPasswordChecks();
  const svc = await startTestService({ verifyPassword: checks.verify });
  try {
    checks.hold();
    const pending = Array.from({ length: 10 }, () => svc.request('GET', '/wireguardgateways', undefined, {}, OWNER));
    await eventually(async () => checks.stats.count > 0, 10_000, 'the first check');
    checks.release();
    assert.deepEqual((await Promise.all(pending)).map((r) => r.status), Array(10).fill(200));
    assert.equal(checks.stats.count, 1);
  } finally {
    checks.release();
    await svc.stop();
  }
});
