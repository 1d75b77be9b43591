import assert from 'node:assert/strict';
import type { FakeDriver } from './fake-driver.ts';
import { eventually, type TestResponse, type TestService } from './test-service.ts';

/** The IONOS error body: exact keys, JSON Content-Type, the status repeated, a code and a message naming the field. */
export function assertIonosError(res: TestResponse, status: number, field?: RegExp, errorCode?: string): void {
  const context = `${res.status} ${res.text}`;
  assert.equal(res.status, status, context);
  assert.match(String(res.headers['content-type']), /^application\/json/, context);
  assert.deepEqual(Object.keys(res.body ?? {}).sort(), ['httpStatus', 'messages'], context);
  assert.equal(res.body.httpStatus, status, context);
  assert.ok(Array.isArray(res.body.messages) && res.body.messages.length >= 1, context);
  for (const m of res.body.messages) {
    assert.deepEqual(Object.keys(m).sort(), ['errorCode', 'message'], context);
    assert.equal(typeof m.errorCode, 'string', context);
    assert.ok(m.errorCode.length > 0, context);
    assert.equal(typeof m.message, 'string', context);
  }
  if (field) assert.match(res.body.messages[0].message, field, context);
  if (errorCode) assert.equal(res.body.messages[0].errorCode, errorCode, context);
}

/** Holds every apply/remove of the fake data plane until the returned function is called. */
export function holdDataPlane(driver: FakeDriver): () => void {
  let release: () => void = () => {};
  driver.gate = new Promise<void>((resolve) => { release = resolve; });
  return () => {
    driver.gate = undefined;
    release();
  };
}

/** Waits until GET path shows metadata.status; answers the resource. */
export function waitForStatus(svc: TestService, path: string, status: string, timeoutMs = 5000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
  return eventually(async () => {
    const res = await svc.request('GET', path);
    return res.status === 200 && res.body.metadata.status === status ? res.body : undefined;
  }, timeoutMs, `${path} to be ${status}`);
}

/** Waits until GET path answers 404. */
export function waitForGone(svc: TestService, path: string, timeoutMs = 5000): Promise<true> {
  return eventually(async () => (await svc.request('GET', path)).status === 404, timeoutMs, `${path} to be gone`);
}
