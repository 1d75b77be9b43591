import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { eventually, startTestService, type TestService } from '../support/test-service.ts';

// A client that gives up in the middle of an upload is no outage of the store: it is logged as a
// client abort (info), never as "the store is unreachable" (error), and never answered 503.

let svc: TestService;
let port = 0;
let token = '';
before(async () => {
  svc = await startTestService();
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  port = (svc.app.server.address() as AddressInfo).port;
  token = (await svc.request('GET', '/auth/v1/tokens/generate')).body.token;
});
after(async () => { await svc.stop(); });

const logLines = () => svc.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string; reqId?: string });

/** Sends the headers and the first part of a body, waits `afterMs`, then resets the connection. */
async function abortUpload(requestId: string, authorization: string, afterMs: number) {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`POST /wireguardgateways HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nX-Request-Id: ${requestId}\r\n` +
    'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"properties": {"name": "');
  await eventually(async () => logLines().some((l) => l.reqId === requestId), 5000, 'the request to arrive');
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  socket.resetAndDestroy();
}

test('an upload the client aborts is logged as a client abort at info level, not as the store being unreachable', async () => {
  const ids: string[] = [];
  for (const [n, afterMs] of [0, 20, 100, 200].entries()) {
    for (const authorization of [svc.basic, `Bearer ${token}`]) {
      const id = `aborted-upload-${n}-${authorization.slice(0, 5).trim()}`;
      ids.push(id);
      await abortUpload(id, authorization, afterMs);
    }
  }
  const aborted = await eventually(async () => {
    const lines = logLines().filter((l) => l.msg === 'the client closed the connection before its request was read');
    return ids.every((id) => lines.some((l) => l.reqId === id)) && lines;
  }, 10_000, 'a client-abort line for every aborted upload');
  for (const line of aborted) assert.equal(line.level, 30, 'info');
  const errors = logLines().filter((l) => l.level >= 50);
  assert.deepEqual(errors.map((l) => l.msg), []);
  const metrics = (await svc.request('GET', '/metrics', undefined, { authorization: '' })).text;
  assert.doesNotMatch(metrics, /status_code="503"/);
  assert.equal((await svc.request('GET', '/wireguardgateways')).status, 200, 'the service goes on as before');
});
