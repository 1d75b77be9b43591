import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import * as tar from 'tar';
import { loadConfig } from '../../src/config.ts';
import { generateWireguardKeyPair } from '../../src/domain/wireguard-keys.ts';
import { createLogger } from '../../src/logger.ts';
import { assembleService, type RunningService } from '../../src/service-assembly.ts';
import { ipsecGateway, ipsecTunnel, peerKey, wireguardGateway, wireguardPeer } from '../support/fixtures.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basicAuth, eventually, startTestService, type TestService } from '../support/test-service.ts';
import { runCli } from './support/cli-harness.ts';

const PATH = { PATH: process.env.PATH ?? '' };
const WRITERS = 4;
const MAX_ROUNDS_PER_WRITER = 150;

/** What the server acknowledged, and when: the secret it was given goes with it. */
interface Acknowledged {
  kind: 'wireguard' | 'ipsec';
  gatewayId: string;
  childId: string;
  /** The WireGuard gateway's private key, or the tunnel's PSK. */
  secret: string;
  at: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('vpngw backup and vpngw restore', () => {
  let svc: TestService;
  let url = '';
  let token = '';
  let work = '';

  before(async () => {
    svc = await startTestService({ postgres: false });
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    token = (await svc.request('GET', '/auth/v1/tokens/generate')).body.token as string;
    work = mkdtempSync(join(tmpdir(), 'vpngw-backup-'));
  });
  after(async () => {
    await svc.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown): Promise<string> => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 201, await response.clone().text());
    return ((await response.json()) as { id: string }).id;
  };

  /** One round of a writer: a WireGuard gateway with its own key and a peer, or an IPSec gateway with a tunnel and its own PSK. */
  async function writeRound(writer: number, round: number): Promise<Acknowledged> {
    const n = writer * MAX_ROUNDS_PER_WRITER + round;
    if (round % 2 === 0) {
      const { privateKey } = generateWireguardKeyPair();
      const gatewayId = await post('/wireguardgateways', wireguardGateway({ name: `wg-${n}`, privateKey }));
      const childId = await post(`/wireguardgateways/${gatewayId}/peers`, wireguardPeer({ publicKey: peerKey(n % 200) }));
      return { kind: 'wireguard', gatewayId, childId, secret: privateKey, at: Date.now() };
    }
    const psk = randomBytes(24).toString('base64url');
    const gatewayId = await post('/ipsecgateways', ipsecGateway({ name: `ipsec-${n}` }));
    const childId = await post(`/ipsecgateways/${gatewayId}/tunnels`, ipsecTunnel({ auth: { method: 'PSK', psk: { key: psk } } }));
    return { kind: 'ipsec', gatewayId, childId, secret: psk, at: Date.now() };
  }

  test('an online backup under concurrent writes restores every resource acknowledged before it began, with every secret usable', async () => {
    const acknowledged: Acknowledged[] = [];
    let stop = false;
    const writers = Array.from({ length: WRITERS }, async (_, writer) => {
      for (let round = 0; round < MAX_ROUNDS_PER_WRITER && !stop; round++) acknowledged.push(await writeRound(writer, round));
    });
    await eventually(async () => acknowledged.length >= 12, 30_000, 'the first acknowledged writes');
    const archive = join(work, 'vpngw-backup.tar.gz');
    const began = Date.now();
    const backup = await runCli(['backup', '--out', archive, '--data-dir', svc.dataDir], PATH);
    const ended = Date.now();
    stop = true;
    await Promise.all(writers);
    assert.equal(backup.status, 0, backup.stderr);
    assert.match(backup.stdout, new RegExp(`^Backed up ${escape(svc.dataDir)} \\(schema \\d+, \\d+ gateways, \\d+ peers and tunnels\\) to ${escape(archive)}\\n$`));
    assert.equal(statSync(archive).mode & 0o777, 0o600);
    assert.ok(acknowledged.some((a) => a.at > began && a.at < ended), 'the server kept acknowledging writes while the backup ran');
    const before = acknowledged.filter((a) => a.at < began);
    const entries: string[] = [];
    await tar.list({ file: archive, onReadEntry: (entry) => entries.push(entry.path) });
    assert.deepEqual(entries.sort(), ['manifest.json', 'secret.key', 'token-signing.key', 'vpngw.sqlite']);

    const restoredDir = join(work, 'restored');
    const restore = await runCli(['restore', '--from', archive, '--data-dir', restoredDir], PATH);
    assert.equal(restore.status, 0, restore.stderr);
    assert.match(restore.stdout, /^Restored .* into .*: \d+ gateways, \d+ peers and tunnels; \d+ stored secrets checked with its key\.\n$/);
    for (const file of ['vpngw.sqlite', 'secret.key', 'token-signing.key']) assert.equal(statSync(join(restoredDir, file)).mode & 0o777, 0o600, file);

    // A service on the restored directory has every acknowledged resource, and its files driver renders their secrets.
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const restored: RunningService = await assembleService(loadConfig([], { VPNGW_DATA_DIR: restoredDir, VPNGW_RECONCILE_INTERVAL_MS: '100000' }), createLogger('warn', sink));
    try {
      const get = (path: string, authorization = `Bearer ${token}`) => restored.app.inject({ method: 'GET', url: path, headers: { authorization } });
      assert.equal((await get('/wireguardgateways', basicAuth(ADMIN_EMAIL, ADMIN_PASSWORD))).statusCode, 200, 'the users came back');
      assert.equal((await get('/wireguardgateways')).statusCode, 200, 'a token issued before the backup works: the signing key came back');
      for (const a of before) {
        const collection = a.kind === 'wireguard' ? 'wireguardgateways' : 'ipsecgateways';
        const child = a.kind === 'wireguard' ? 'peers' : 'tunnels';
        assert.equal((await get(`/${collection}/${a.gatewayId}/${child}/${a.childId}`)).statusCode, 200, `${a.kind} ${a.gatewayId} was acknowledged before the backup began`);
      }
      const rendered = (a: Acknowledged) => join(restoredDir, 'dataplane', a.kind, `${a.gatewayId}${a.kind === 'wireguard' ? '.conf' : '.swanctl.conf'}`);
      await eventually(async () => before.every((a) => existsSync(rendered(a))), 20_000, 'the restored gateways rendered');
      for (const a of before) {
        const text = readFileSync(rendered(a), 'utf8');
        const expected = a.kind === 'wireguard' ? `PrivateKey = ${a.secret}` : `secret = 0s${Buffer.from(a.secret).toString('base64')}`;
        assert.ok(text.includes(expected), `the secret of ${a.kind} gateway ${a.gatewayId} decrypts after the restore`);
      }
    } finally {
      await restored.close();
    }

    // Restoring over the restored database is refused without --force, and done with it.
    const again = await runCli(['restore', '--from', archive, '--data-dir', restoredDir], PATH);
    assert.equal(again.status, 1);
    assert.equal(again.stderr, `vpngw restore: ${join(restoredDir, 'vpngw.sqlite')} exists: restoring would replace it. Stop the server on ${restoredDir}, then run again with --force.\n`);
    assert.equal((await runCli(['restore', '--from', archive, '--data-dir', restoredDir, '--force'], PATH)).status, 0);
  });

  test('a restore refuses an archive whose secret.key does not open its stored secrets, and leaves the directory without a database', async () => {
    const archive = join(work, 'good.tar.gz');
    assert.equal((await runCli(['backup', '--out', archive, '--data-dir', svc.dataDir], PATH)).status, 0);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    await tar.extract({ file: archive, cwd: unpacked });
    writeFileSync(join(unpacked, 'secret.key'), `${randomBytes(32).toString('base64')}\n`);
    const forged = join(work, 'other-key.tar.gz');
    await tar.create({ file: forged, cwd: unpacked, gzip: true }, ['manifest.json', 'vpngw.sqlite', 'secret.key', 'token-signing.key']);

    const target = join(work, 'mismatch');
    const result = await runCli(['restore', '--from', forged, '--data-dir', target], PATH);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^vpngw restore: the archive's secret\.key does not open the stored secret of (gateway|peer|tunnel) [0-9a-f-]{36}: the key belongs to another database, or the archive is damaged\.\n$/);
    assert.ok(!existsSync(join(target, 'vpngw.sqlite')));
    assert.ok(!existsSync(join(target, 'secret.key')));
  });

  test('backup and restore say what to use for PostgreSQL, and refuse an archive that is not one', async () => {
    const pg = { ...PATH, VPNGW_DATABASE_URL: 'postgres://vpngw@127.0.0.1:1/vpngw', VPNGW_DATA_DIR: join(work, 'pg') };
    const backup = await runCli(['backup', '--out', join(work, 'pg.tar.gz')], pg);
    assert.equal(backup.status, 1);
    assert.match(backup.stderr, /^vpngw backup: the store is PostgreSQL \(VPNGW_DATABASE_URL\): back it up with pg_dump .*\n$/);
    const notArchive = join(work, 'not-an-archive');
    writeFileSync(notArchive, 'hello');
    const restore = await runCli(['restore', '--from', notArchive, '--data-dir', join(work, 'nothing')], PATH);
    assert.equal(restore.status, 1);
    assert.equal(restore.stderr.trimEnd().split('\n').length, 1, restore.stderr);
    assert.match(restore.stderr, /^vpngw restore: .*not-an-archive is not (an|a complete) archive of vpngw backup/);
    const usage = await runCli(['backup'], PATH);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^vpngw backup: --out is required/);
  });
});
