import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestService, type TestService } from '../support/test-service.ts';
import { runCli } from './support/cli-harness.ts';

/** The operator's host commands against the store of a running service, whose API the agent uses. */
describe('vpngw host', () => {
  let svc: TestService;
  const cli = (...args: string[]) => runCli(args, { PATH: process.env.PATH ?? '', ...svc.env });

  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  test('token create prints a single-use token once; an agent enrolls with it; list, drain and remove manage the host', async () => {
    const created = await cli('host', 'token', 'create', '--ttl', '10m');
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /^vpngw-enroll\.[A-Za-z0-9_-]{43}\n$/);
    assert.match(created.stderr, /single use, valid until/);
    const token = created.stdout.trim();

    const enrolled = await svc.request('POST', '/agent/v1/enroll', { token, name: 'edge-1', version: '0.1.0' }, { authorization: '' });
    assert.equal(enrolled.status, 201, enrolled.text);
    assert.equal((await svc.request('POST', '/agent/v1/enroll', { token, name: 'edge-2', version: '0.1.0' }, { authorization: '' })).status, 401, 'used');
    const { hostId } = enrolled.body as { hostId: string };

    const listed = await cli('host', 'list');
    assert.equal(listed.status, 0, listed.stderr);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/));
    assert.deepEqual(header, ['ID', 'NAME', 'STATE', 'VERSION', 'LAST CONTACT', 'CONNECTED', 'ADDRESSES', 'BLOCKS', 'GATEWAYS']);
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[8]]), [[hostId, 'edge-1', 'ACTIVE', '0.1.0', 'yes', '0', '0', '0']]);

    assert.equal((await cli('host', 'drain', '--id', hostId)).status, 0);
    assert.equal((await svc.hosts.findHost(hostId))?.state, 'DRAINING');
    const removed = await cli('host', 'remove', '--id', hostId);
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal((await svc.hosts.findHost(hostId)), undefined);
  });

  test('a bad lifetime is a usage error; an unknown host is refused', async () => {
    for (const ttl of ['0', '30s', '2d', '25h', 'soon']) {
      const result = await cli('host', 'token', 'create', '--ttl', ttl);
      assert.equal(result.status, 2, `${ttl}: ${result.stderr}`);
      assert.equal(result.stdout, '');
    }
    const unknown = await cli('host', 'remove', '--id', randomUUID());
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^vpngw host remove: there is no gateway host/);
    assert.equal((await cli('host', 'drain', '--id', 'nope')).status, 2);
  });
});
