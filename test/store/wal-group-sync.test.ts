import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i += 1) await tick();
  assert.ok(check(), `timed out waiting for ${what}`);
}

/**
 * Group commit on SQLite: a write transaction resolves (and so a write is acknowledged) only after an
 * fdatasync of the WAL that began after its commit; the commits that arrive while one sync runs all
 * wait for the next one, instead of one sync each.
 */
test('a SQLite transaction resolves only after a WAL sync that began after it; commits that arrive together share the next sync', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-group-commit-'));
  const store = await openSqliteStore(join(dir, 'vpngw.sqlite'));
  const probe = await open(join(dir, 'probe'), 'w');
  const fileHandle = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const datasync = fileHandle.datasync;
  const held: Array<() => void> = [];
  fileHandle.datasync = function held_(this: FileHandle) {
    return new Promise<void>((resolve, reject) => held.push(() => { datasync.call(this).then(resolve, reject); }));
  };
  try {
    let resolved = 0;
    const write = (n: number) => store.transaction((tx) => tx.insertContract({ number: 31000001 + n, createdDate: '2024-01-01T00:00:00.000Z' }))
      .then(() => { resolved += 1; });
    const first = write(0);
    await until(() => held.length === 1, 'the first sync');
    const burst = Array.from({ length: 10 }, (_, n) => write(n + 1));
    await tick();
    assert.equal(resolved, 0, 'no transaction resolves before its sync has ended');
    assert.equal(held.length, 1, 'commits made while a sync runs wait for the next one');

    held[0]?.();
    await first;
    await until(() => held.length === 2, 'the second sync');
    await tick();
    assert.equal(resolved, 1, 'the burst waits for the sync that began after its commits');
    held[1]?.();
    await Promise.all(burst);
    assert.equal(held.length, 2, 'ten commits that arrived together cost one sync');
    assert.equal((await store.findContract(31000011))?.number, 31000011);
  } finally {
    fileHandle.datasync = datasync;
    for (const release of held) release();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
