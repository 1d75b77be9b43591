import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres-database.ts';
import { basicAuth } from '../support/test-service.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN = { email: 'crash@example.com', password: 'crash-test-password' };
const CONTRACT = 31000001;
const WORKERS = 24;
/** Acknowledged writes before the kill: the process dies with the rest of the burst in flight. */
const KILL_AFTER = 150;
const PEERS_PER_GATEWAY = 12;

interface Write {
  requestId: string;
  kind: 'gateway' | 'peer';
  /** 2xx: acknowledged. 0: no answer (the connection died with the process). */
  status: number;
  id?: string;
}

/** A real `vpngw serve` (files driver, no root needed) on a data directory (and a PostgreSQL database). */
function launch(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    if (code !== null && code !== 0) process.stderr.write(`vpngw serve exited with ${code}: ${stderr}\n`);
    resolve(code);
  }));
  return { child, exited };
}

async function waitUntilUp(baseUrl: string, child: ChildProcess) {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`vpngw serve exited with ${child.exitCode}`);
    if (await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('vpngw serve did not come up');
}

/** Gateways with peers, from WORKERS clients at once, until a request gets no answer. */
async function burst(baseUrl: string, onAcknowledged: (count: number) => void): Promise<Write[]> {
  const writes: Write[] = [];
  let acknowledged = 0;
  const authorization = basicAuth(ADMIN.email, ADMIN.password);
  const send = async (kind: Write['kind'], path: string, body: unknown): Promise<Write> => {
    const write: Write = { requestId: `kill9-${writes.length}-${process.hrtime.bigint()}`, kind, status: 0 };
    writes.push(write);
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST', headers: { authorization, 'content-type': 'application/json', 'x-request-id': write.requestId }, body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { id?: string };
      write.status = res.status;
      if (res.ok) {
        write.id = answer.id;
        onAcknowledged((acknowledged += 1));
      }
    } catch {
      write.status = 0;
    }
    return write;
  };
  const worker = async (w: number) => {
    for (let round = 0; ; round += 1) {
      const gateway = await send('gateway', '/wireguardgateways', wireguardGateway({ name: `w${w}-r${round}` }));
      if (gateway.status === 0) return;
      assert.equal(gateway.status, 201);
      for (let n = 0; n < PEERS_PER_GATEWAY; n += 1) {
        const peer = await send('peer', `/wireguardgateways/${gateway.id}/peers`, wireguardPeer({ name: `p${n}`, publicKey: peerKey(n), allowedIPs: [`10.9.${n}.0/24`] }));
        if (peer.status === 0) return;
        assert.equal(peer.status, 201);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  return writes;
}

/** What the store holds after the crash, checked against what was acknowledged. */
async function inspect(store: KyselyStore, writes: Write[]) {
  const gateways = await store.listAllGateways();
  const children = new Map((await Promise.all(gateways.map(async (g) => [g.id, await store.listAllChildren(g.id)] as const))));
  const records = (await store.listAuditRecords(CONTRACT, { offset: 0, limit: 1_000_000 })).items;
  const recorded = new Map(records.filter((r) => r.outcome === 'success').map((r) => [r.resourceId, r]));
  const present = new Set([...gateways.map((g) => g.id), ...[...children.values()].flat().map((c) => c.id)]);
  const acknowledged = writes.filter((w) => w.status >= 200 && w.status < 300);
  const lost = acknowledged.filter((w) => !w.id || !present.has(w.id));
  const halfMade: string[] = [];
  for (const gateway of gateways) {
    const mine = children.get(gateway.id) ?? [];
    // Every peer POST raised its gateway's generation by one, in the same transaction.
    if (gateway.generation !== 1 + mine.length) halfMade.push(`gateway ${gateway.id}: generation ${gateway.generation} with ${mine.length} peers`);
    const generations = mine.map((c) => c.generation).sort((x, y) => x - y);
    if (generations.some((g, i) => g !== i + 2)) halfMade.push(`gateway ${gateway.id}: peer generations ${generations}`);
  }
  for (const id of present) if (!recorded.has(id)) halfMade.push(`${id} has no audit record`);
  for (const record of recorded.values()) if (record.resourceId && !present.has(record.resourceId)) halfMade.push(`a record of ${record.resourceId}, which does not exist`);
  const unrecorded = acknowledged.filter((w) => !records.some((r) => r.requestId === w.requestId && r.resourceId === w.id && r.httpStatus === w.status));
  return { gateways: gateways.length, children: present.size - gateways.length, acknowledged, lost, halfMade, unrecorded };
}

for (const engine of ['SQLite', 'PostgreSQL'] as const) {
  describe(`kill -9 in the middle of a burst of writes (${engine})`, { skip: engine === 'PostgreSQL' && postgresUnavailable(), timeout: 180_000 }, () => {
    test('every acknowledged write is there after a restart, whole, with its audit record; nothing is half-made', async (t) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'vpngw-kill9-'));
      const database = engine === 'PostgreSQL' ? await createTestDatabase() : undefined;
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const env = {
        VPNGW_DATA_DIR: dataDir, VPNGW_PORT: String(port), VPNGW_ADMIN_EMAIL: ADMIN.email, VPNGW_ADMIN_PASSWORD: ADMIN.password,
        VPNGW_RATE_LIMIT: '0', VPNGW_LOG_LEVEL: 'warn', ...(database ? { VPNGW_DATABASE_URL: database.url } : {}),
      };
      let running = launch(env);
      try {
        await waitUntilUp(baseUrl, running.child);
        const killed = running;
        const writes = await burst(baseUrl, (count) => {
          if (count === KILL_AFTER) killed.child.kill('SIGKILL');
        });
        assert.equal(await killed.exited, null, 'the process died of the signal');
        const unanswered = writes.filter((w) => w.status === 0).length;
        assert.ok(unanswered > 0, 'requests were in flight at the kill');

        running = launch(env);
        await waitUntilUp(baseUrl, running.child);
        const store = database ? await openPostgresStore(database.url, 2) : await openSqliteStore(join(dataDir, 'vpngw.sqlite'));
        try {
          const found = await inspect(store, writes);
          t.diagnostic(`${engine}: ${found.acknowledged.length} acknowledged writes, ${found.lost.length} lost, ${found.halfMade.length} half-made, `
            + `${unanswered} unanswered at the kill; the store holds ${found.gateways} gateways and ${found.children} peers`);
          assert.ok(found.acknowledged.length >= KILL_AFTER, `${found.acknowledged.length} acknowledged`);
          assert.deepEqual(found.lost, [], 'acknowledged writes lost');
          assert.deepEqual(found.halfMade, [], 'half-made writes');
          assert.deepEqual(found.unrecorded, [], 'acknowledged writes without their audit record');
        } finally {
          await store.close();
        }
        const last = writes.filter((w) => w.status === 201).at(-1);
        const authorization = basicAuth(ADMIN.email, ADMIN.password);
        const path = last?.kind === 'gateway' ? `/wireguardgateways/${last.id}` : '/wireguardgateways';
        assert.equal((await fetch(`${baseUrl}${path}`, { headers: { authorization } })).status, 200, 'the restarted service answers');
      } finally {
        running.child.kill('SIGTERM');
        await running.exited;
        await database?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
