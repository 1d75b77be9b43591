import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { proposalWords } from '../../console/src/choices.ts';
import { bytes, dateTime, isRecent, timeAgo } from '../../console/src/format.ts';
import {
  establishedTunnels, handshakeCell, healthCell, healthyPeers, ipsecDataPlane, liveSource, saCell, transferCell, wireguardDataPlane,
} from '../../console/src/live-view.ts';
import type { IpsecLive, LiveFreshness, WireguardLive } from '../../console/src/types.ts';
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

// /status as the server answers it: on one box (observedAt now, host connected), and in a fleet before the
// host's first send, after it, with the host silent, and for a gateway no host runs (every field null).
const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const SILENT_NOTE = 'The gateway host has not been heard from since 2026-01-01T11:55:00.000Z; this is the state it last sent.';
const NO_HOST_NOTE = 'No gateway host runs this gateway (see its statusMessage).';
const FIRST_SEND_NOTE = 'The gateway host has sent no live state for this gateway yet.';

function wg(freshness: LiveFreshness, reported = true): WireguardLive {
  const peer = reported
    ? { id: 'p1', configured: true, endpoint: '198.51.100.7:41000', latestHandshake: ago(125), transferRxBytes: 1536, transferTxBytes: 3 * 1024 ** 2 }
    : { id: 'p1', configured: null, endpoint: null, latestHandshake: null, transferRxBytes: null, transferTxBytes: null };
  return { properties: { interfacePresent: reported ? true : null, listenPort: reported ? 51820 : null, peers: [peer], ...freshness } };
}
function ipsec(freshness: LiveFreshness, reported = true): IpsecLive {
  const tunnel = reported
    ? { id: 't1', ikeState: 'ESTABLISHED', ikeEstablished: true, childEstablished: true, bytesIn: 2048, bytesOut: 4096 }
    : { id: 't1', ikeState: null, ikeEstablished: null, childEstablished: null, bytesIn: null, bytesOut: null };
  return { properties: { charonRunning: reported ? true : null, tunnels: [tunnel], ...freshness } };
}
const ONE_BOX = { observedAt: new Date(NOW).toISOString(), hostConnected: true };
const FIRST_SEND = { observedAt: null, hostConnected: true, note: FIRST_SEND_NOTE };
const SILENT = { observedAt: ago(300), hostConnected: false, note: SILENT_NOTE };
const NO_HOST = { observedAt: null, hostConnected: null, note: NO_HOST_NOTE };

test('live state on one box (observed now, host connected) reads as before: no source line, the observed values', () => {
  const live = wg(ONE_BOX);
  const peer = live.properties.peers[0];
  assert.equal(liveSource(live, NOW), null, 'nothing added to the page');
  assert.equal(liveSource(wg({ observedAt: ago(9), hostConnected: true }), NOW), null, 'an observation within 10 s is now');
  assert.equal(wireguardDataPlane(live), 'interface up');
  assert.equal(wireguardDataPlane({ properties: { ...live.properties, interfacePresent: false } }), 'interface missing', 'only an observed false is missing');
  assert.deepEqual(handshakeCell(live, peer, NOW), { text: '2 minutes ago', ok: true });
  assert.equal(transferCell(live, peer), '1.5 KiB / 3.0 MiB');
  const tunnels = ipsec(ONE_BOX);
  assert.equal(ipsecDataPlane(tunnels), 'charon running');
  assert.deepEqual(saCell(tunnels, tunnels.properties.tunnels[0]), { text: 'established · 2.0 KiB in / 4.0 KiB out', ok: true });
  assert.deepEqual(healthCell(live, healthyPeers(live, NOW), 1), { text: '1 / 1', tone: 'plain' });
  assert.deepEqual(healthCell(tunnels, establishedTunnels(tunnels), 1), { text: '1 / 1', tone: 'plain' });
});

test('a data plane that reports no live state (files driver, 501) is "not reported", as before', () => {
  assert.equal(liveSource(null, NOW), null);
  assert.equal(wireguardDataPlane(null), 'live state not reported by this data plane');
  assert.equal(ipsecDataPlane(null), 'live state not reported by this data plane');
  assert.deepEqual(handshakeCell(null, undefined, NOW), { text: 'not reported', ok: false });
  assert.equal(transferCell(null, undefined), '—');
  assert.deepEqual(saCell(null, undefined), { text: 'not reported', ok: false });
  assert.deepEqual(healthCell(null, 0, 1), { text: 'not reported', title: 'This data plane reports no live sessions', tone: 'muted' });
});

test('in a fleet before the host\'s first send, null fields are "not reported yet", never "missing", "never" or 0', () => {
  const live = wg(FIRST_SEND, false);
  const peer = live.properties.peers[0];
  assert.equal(wireguardDataPlane(live), 'not reported yet');
  assert.deepEqual(handshakeCell(live, peer, NOW), { text: 'not reported yet', ok: false });
  assert.equal(transferCell(live, peer), 'not reported yet');
  const tunnels = ipsec(FIRST_SEND, false);
  assert.equal(ipsecDataPlane(tunnels), 'not reported yet');
  assert.deepEqual(saCell(tunnels, tunnels.properties.tunnels[0]), { text: 'not reported yet', ok: false });
  assert.deepEqual(healthCell(live, healthyPeers(live, NOW), 1), { text: 'not reported yet', tone: 'muted', title: FIRST_SEND_NOTE });
  assert.deepEqual(liveSource(live, NOW), { note: FIRST_SEND_NOTE }, 'the server\'s note, no marker (the host is connected)');
});

test('an older observation from a connected host says the state is unchanged since then (relative, absolute in the tooltip)', () => {
  const observedAt = ago(125);
  const live = wg({ observedAt, hostConnected: true });
  assert.deepEqual(liveSource(live, NOW), { observed: 'unchanged since 2 minutes ago', observedAt: dateTime(observedAt) });
  assert.equal(wireguardDataPlane(live), 'interface up');
  assert.deepEqual(healthCell(live, healthyPeers(live, NOW), 1), { text: '1 / 1', tone: 'plain' });
});

test('a silent host: a "host not connected" marker, the age and the note; the last values shown, none of them green', () => {
  const live = wg({ ...SILENT, observedAt: ago(60) });
  const peer = live.properties.peers[0];
  assert.ok(peer);
  assert.deepEqual(liveSource(live, NOW), { marker: 'host not connected', observed: 'observed 1 minute ago', observedAt: dateTime(ago(60)), note: SILENT_NOTE });
  assert.deepEqual(liveSource(wg({ ...SILENT, observedAt: ago(2) }), NOW)?.observed, 'observed just now', 'the age is said even when recent');
  assert.equal(wireguardDataPlane(live), 'interface up');
  assert.deepEqual(handshakeCell(live, { ...peer, latestHandshake: ago(30) }, NOW), { text: '30 seconds ago', ok: false }, 'a recent handshake is not "alive" from a silent host');
  assert.equal(transferCell(live, peer), '1.5 KiB / 3.0 MiB');
  const tunnels = ipsec(SILENT);
  assert.deepEqual(saCell(tunnels, tunnels.properties.tunnels[0]), { text: 'established · 2.0 KiB in / 4.0 KiB out', ok: false });
  assert.deepEqual(healthCell(live, 1, 1), { text: 'host not connected (last: 1 / 1)', tone: 'warn', title: SILENT_NOTE });
  const neverSent = wg({ observedAt: null, hostConnected: false, note: SILENT_NOTE }, false);
  assert.deepEqual(liveSource(neverSent, NOW), { marker: 'host not connected', note: SILENT_NOTE });
  assert.equal(wireguardDataPlane(neverSent), 'not reported yet');
  assert.deepEqual(healthCell(neverSent, 0, 1), { text: 'host not connected', tone: 'warn', title: SILENT_NOTE });
});

test('a gateway no host runs: "no host runs this gateway" with the note, every field "not reported yet"', () => {
  const live = wg(NO_HOST, false);
  assert.deepEqual(liveSource(live, NOW), { marker: 'no host runs this gateway', note: NO_HOST_NOTE });
  assert.equal(wireguardDataPlane(live), 'not reported yet');
  assert.deepEqual(handshakeCell(live, live.properties.peers[0], NOW), { text: 'not reported yet', ok: false });
  const tunnels = ipsec(NO_HOST, false);
  assert.equal(ipsecDataPlane(tunnels), 'not reported yet');
  assert.deepEqual(healthCell(tunnels, establishedTunnels(tunnels), 1), { text: 'no host runs this gateway', tone: 'warn', title: NO_HOST_NOTE });
});
