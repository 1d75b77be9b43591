import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { proposalWords } from '../../console/src/choices.ts';
import { bytes, isRecent, timeAgo } from '../../console/src/format.ts';
import { REPO_ROOT } from '../support/deploy-files.ts';

test('the console\'s API types are generated from the committed openapi.json (npm run console:types), not edited by hand', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vpngw-console-types-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'api-types.ts');
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '-o', out], { cwd: REPO_ROOT });
  assert.equal(readFileSync(join(REPO_ROOT, 'console/src/api-types.ts'), 'utf8'), readFileSync(out, 'utf8'),
    'console/src/api-types.ts is out of date with openapi.json: run npm run console:types');
});

test('latest handshakes read as people say them', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  assert.equal(timeAgo(null, now), 'never');
  assert.equal(timeAgo(ago(3), now), 'just now');
  assert.equal(timeAgo(ago(45), now), '45 seconds ago');
  assert.equal(timeAgo(ago(60), now), '1 minute ago');
  assert.equal(timeAgo(ago(125), now), '2 minutes ago');
  assert.equal(timeAgo(ago(7200), now), '2 hours ago');
  assert.equal(timeAgo(ago(3 * 86400), now), '3 days ago');
  assert.equal(timeAgo(new Date(now + 5000).toISOString(), now), 'just now', 'a clock slightly ahead is not "in the future"');
  assert.ok(isRecent(ago(170), now) && !isRecent(ago(190), now) && !isRecent(null, now), 'recent: within three minutes (WireGuard rekeys every two)');
});

test('byte counts and IPSec proposals in words', () => {
  assert.deepEqual([bytes(0), bytes(1023), bytes(1536), bytes(3 * 1024 ** 2), bytes(250 * 1024 ** 3)], ['0 B', '1023 B', '1.5 KiB', '3.0 MiB', '250 GiB']);
  assert.equal(proposalWords({ encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA384', diffieHellmanGroup: '20-ECP384', lifetime: 86400 }),
    'AES-256 CBC, SHA384, NIST P-384 (group 20), 24 h');
  assert.equal(proposalWords({ encryptionAlgorithm: 'AES128-GCM-12', integrityAlgorithm: 'SHA256', diffieHellmanGroup: '31-X' as never, lifetime: 5000 }),
    'AES-128 GCM with a 96-bit tag, 31-X, 5000 s', 'no integrity with an AEAD cipher; an unknown group as it is');
  assert.equal(proposalWords({ encryptionAlgorithm: 'AES256-CTR' }), 'AES-256 CTR, SHA256');
});
