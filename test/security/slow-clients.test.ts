import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// Real sockets on a loopback port: what a slow or greedy client can hold. Every wait below is for
// the server to close a connection; the bound on it only keeps a failing test from hanging.
const SERVER_CLOSES_WITHIN_MS = 15_000;

interface RawConnection {
  socket: Socket;
  received(): string;
  /** True once the server closed the connection (we never close it before the test ends). */
  closedByServer(): Promise<boolean>;
}

function open(port: number): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
  socket.on('error', () => undefined); // ECONNRESET or EPIPE when the server closed it: the test checks `closed`
  const closed = new Promise<true>((resolve) => socket.once('close', () => resolve(true)));
  return new Promise((resolve) => socket.once('connect', () => resolve({
    socket,
    received: () => received,
    closedByServer: () => Promise.race([closed, new Promise<false>((r) => setTimeout(() => r(false), SERVER_CLOSES_WITHIN_MS).unref())]),
  })));
}

/** Writes one byte every `everyMs` until the connection closes; answers how many it wrote. */
function trickle(conn: RawConnection, byte: string, everyMs: number): () => number {
  let written = 0;
  const timer = setInterval(() => {
    if (conn.socket.destroyed) return clearInterval(timer);
    conn.socket.write(byte);
    written += 1;
  }, everyMs);
  conn.socket.once('close', () => clearInterval(timer));
  return () => written;
}

async function listening(env: Record<string, string> = {}): Promise<{ svc: TestService; port: number }> {
  const svc = await startTestService({ env });
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  return { svc, port: (svc.app.server.address() as AddressInfo).port };
}

const post = (length: number, authorization?: string) =>
  `POST /wireguardgateways HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
  `${authorization ? `Authorization: ${authorization}\r\n` : ''}\r\n`;

test('a body that trickles in is cut off after VPNGW_REQUEST_TIMEOUT_MS: 408 and the connection closed', async () => {
  const { svc, port } = await listening({ VPNGW_REQUEST_TIMEOUT_MS: '1000', VPNGW_HEADERS_TIMEOUT_MS: '500' });
  const conn = await open(port);
  try {
    conn.socket.write(post(1000, svc.basic));
    const written = trickle(conn, ' ', 100);
    assert.equal(await conn.closedByServer(), true, 'the server closed the slow connection');
    assert.match(conn.received(), /^HTTP\/1\.1 408 /);
    assert.ok(written() < 1000, 'the body never completed');
  } finally {
    conn.socket.destroy();
    await svc.stop();
  }
});

test('headers that trickle in are cut off after VPNGW_HEADERS_TIMEOUT_MS', async () => {
  const { svc, port } = await listening({ VPNGW_REQUEST_TIMEOUT_MS: '5000', VPNGW_HEADERS_TIMEOUT_MS: '500' });
  const conn = await open(port);
  try {
    conn.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    trickle(conn, 'a', 100);
    assert.equal(await conn.closedByServer(), true);
    assert.match(conn.received(), /^HTTP\/1\.1 408 /);
  } finally {
    conn.socket.destroy();
    await svc.stop();
  }
});

test('a request refused before its body arrived (no credentials, body too large) is answered and its connection closed, the rest unread', async () => {
  const { svc, port } = await listening();
  const unauthenticated = await open(port);
  const tooLarge = await open(port);
  const fine = await open(port);
  try {
    unauthenticated.socket.write(post(50 * 1024 * 1024));
    unauthenticated.socket.write(Buffer.alloc(64 * 1024, 0x20));
    assert.equal(await unauthenticated.closedByServer(), true, 'closed after the 401, without reading 50 MB');
    assert.match(unauthenticated.received(), /^HTTP\/1\.1 401 /);
    assert.match(unauthenticated.received(), /\r\nconnection: close\r\n/i);

    tooLarge.socket.write(post(50 * 1024 * 1024, svc.basic));
    tooLarge.socket.write(Buffer.alloc(64 * 1024, 0x20));
    assert.equal(await tooLarge.closedByServer(), true);
    assert.match(tooLarge.received(), /^HTTP\/1\.1 413 /);

    // A complete request keeps its connection: the next one is answered on it.
    fine.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    fine.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    for (let i = 0; i < 200 && (fine.received().match(/HTTP\/1\.1 200 /g) ?? []).length < 2; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.equal((fine.received().match(/HTTP\/1\.1 200 /g) ?? []).length, 2, JSON.stringify(fine.received()));
    assert.equal(fine.socket.destroyed, false);
  } finally {
    for (const conn of [unauthenticated, tooLarge, fine]) conn.socket.destroy();
    await svc.stop();
  }
});

test('VPNGW_MAX_CONNECTIONS caps the open connections: one more is closed at once, and a freed place is taken again', async () => {
  const { svc, port } = await listening({ VPNGW_MAX_CONNECTIONS: '3' });
  const held = [await open(port), await open(port), await open(port)];
  const extra = await open(port);
  try {
    assert.equal(await extra.closedByServer(), true, 'the fourth connection is closed by the server');
    assert.equal(extra.received(), '');
    held[0]?.socket.destroy();
    let answer = '';
    for (let i = 0; i < 100 && !answer.startsWith('HTTP/1.1 200'); i += 1) {
      const conn = await open(port);
      conn.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await conn.closedByServer();
      answer = conn.received();
    }
    assert.match(answer, /^HTTP\/1\.1 200 /);
  } finally {
    for (const conn of [...held, extra]) conn.socket.destroy();
    await svc.stop();
  }
});

test('the bounds have defaults, come from flags or VPNGW_* variables, and a headers timeout longer than the request timeout is refused', () => {
  assert.deepEqual(loadConfig([], {}).http, {
    maxConnections: 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 20_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000,
  });
  const set = loadConfig(['--max-connections', '0', '--request-timeout', '30000'], { VPNGW_HEADERS_TIMEOUT_MS: '5000', VPNGW_KEEP_ALIVE_TIMEOUT_MS: '5000' }).http;
  assert.deepEqual([set.maxConnections, set.requestTimeoutMs, set.headersTimeoutMs, set.keepAliveTimeoutMs], [0, 30_000, 5000, 5000]);
  assert.throws(() => loadConfig([], { VPNGW_HEADERS_TIMEOUT_MS: '30000' }), ConfigError);
  assert.throws(() => loadConfig([], { VPNGW_MAX_CONNECTIONS: '-1' }), ConfigError);
});
