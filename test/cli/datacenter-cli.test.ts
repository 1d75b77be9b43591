import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FakeDriver } from '../support/fake-driver.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { runCli, type CliResult } from './support/cli-harness.ts';

const A = '31000001';
const UUID_LINE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/;

/** A usage or refusal message: one line on stderr, nothing on stdout, no stack trace. */
function assertOneLine(result: CliResult, status: number, message: RegExp) {
  assert.equal(result.status, status, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, message);
}

/** The operator commands against the store of a running service (its data directory, or its PostgreSQL). */
describe('vpngw datacenter and vpngw lan', () => {
  let svc: TestService;
  const driver = new FakeDriver();
  let b = '';
  const cli = (...args: string[]) => runCli(args, { PATH: process.env.PATH ?? '', ...svc.env });
  const tableRows = (out: string) => out.trimEnd().split('\n').slice(1).map((line) => line.split(/\s{2,}/));

  before(async () => {
    svc = await startTestService({ driver });
    b = String(await svc.auth.createContract('b-admin@example.com', 'b-admin-password'));
  });
  after(async () => { await svc.stop(); });

  test('datacenter create declares a datacenter for a contract and prints its id; running it again renames it', async () => {
    const created = await cli('datacenter', 'create', '--contract', A, '--name', 'fra-1');
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, UUID_LINE, 'a generated id');
    const id = created.stdout.trim();

    const given = randomUUID().toUpperCase();
    const first = await cli('datacenter', 'create', '--contract', b, '--id', given, '--location', 'de/txl');
    assert.equal(first.stdout, `${given.toLowerCase()}\n`);
    const again = await cli('datacenter', 'create', '--contract', b, '--id', given.toLowerCase(), '--name', 'txl-2');
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, first.stdout, 'idempotent for the same contract');
    const stored = await svc.store.findDatacenter(given);
    assert.deepEqual([stored?.name, stored?.location, stored?.declared, stored?.contractNumber], ['txl-2', 'de/txl', true, Number(b)]);

    const list = await cli('datacenter', 'list');
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.split('\n')[0]?.split(/\s+/), ['ID', 'CONTRACT', 'NAME', 'DECLARED']);
    const rows = tableRows(list.stdout);
    assert.deepEqual(rows.find((r) => r[0] === id), [id, A, 'fra-1', 'yes']);
    assert.deepEqual(rows.find((r) => r[0] === given.toLowerCase()), [given.toLowerCase(), b, 'txl-2', 'yes']);
  });

  test("another contract's datacenter, declared or claimed by first use, is refused with exit status 1", async () => {
    const declared = (await cli('datacenter', 'create', '--contract', A)).stdout.trim();
    assertOneLine(await cli('datacenter', 'create', '--contract', b, '--id', declared), 1,
      new RegExp(`^vpngw datacenter create: datacenter ${declared} belongs to contract ${A}`));

    const claimed = randomUUID();
    const gateway = await svc.request('POST', '/wireguardgateways', wireguardGateway({ connections: [{ datacenterId: claimed, lanId: '4', ipv4CIDR: '192.168.4.1/24' }] }));
    assert.equal(gateway.status, 201, gateway.text);
    assertOneLine(await cli('datacenter', 'create', '--contract', b, '--id', claimed), 1, /belongs to contract 31000001/);
    assert.equal((await svc.store.findDatacenter(claimed))?.contractNumber, Number(A), 'the owner stays');
    assert.deepEqual(tableRows((await cli('datacenter', 'list')).stdout).find((r) => r[0] === claimed), [claimed, A, 'no (claimed)']);

    const declaredNow = await cli('datacenter', 'create', '--contract', A, '--id', claimed, '--name', 'now declared');
    assert.equal(declaredNow.status, 0, declaredNow.stderr);
    assert.equal((await svc.store.findDatacenter(claimed))?.declared, true, 'its owner may declare a claimed datacenter');
  });

  test('datacenter create: an unknown contract is exit status 1, usage mistakes exit status 2, each one line', async () => {
    assertOneLine(await cli('datacenter', 'create', '--contract', '39999999'), 1, /^vpngw datacenter create: there is no contract 39999999\.$/m);
    assertOneLine(await cli('datacenter', 'create'), 2, /^vpngw datacenter create: --contract is required$/m);
    assertOneLine(await cli('datacenter', 'create', '--contract', 'abc'), 2, /--contract must be a contract number/);
    assertOneLine(await cli('datacenter', 'create', '--contract', A, '--id', 'not-a-uuid'), 2, /--id must be a UUID/);
    assertOneLine(await cli('datacenter', 'create', '--contract', A, '--bogus'), 2, /Unknown option '--bogus'/);
    assertOneLine(await cli('datacenter', 'frobnicate'), 2, /unknown action "frobnicate"/);
    const help = await cli('datacenter', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /vpngw datacenter create --contract N \[--id UUID\] \[--name NAME\] \[--location LOC\]/);
  });

  test('lan bind makes a LAN a host interface the reconciler hands to the data plane; unbind takes it away', async () => {
    const dc = (await cli('datacenter', 'create', '--contract', A, '--name', 'bound')).stdout.trim();
    const gateway = await svc.request('POST', '/wireguardgateways', wireguardGateway({ connections: [{ datacenterId: dc, lanId: '2', ipv4CIDR: '192.168.1.100/24' }] }));
    assert.equal(gateway.status, 201, gateway.text);

    const bound = await cli('lan', 'bind', '--datacenter', dc.toUpperCase(), '--lan', '2', '--interface', 'ens4.100', '--name', 'office');
    assert.equal(bound.status, 0, bound.stderr);
    assert.equal(bound.stdout, `LAN 2 of datacenter ${dc} is interface ens4.100\n`);
    const extra = await cli('lan', 'bind', '--datacenter', dc, '--lan', '10', '--interface', 'eth10');
    assert.equal(extra.status, 0, extra.stderr);
    const listed = await cli('lan', 'list', '--datacenter', dc);
    assert.deepEqual(listed.stdout.split('\n')[0]?.split(/\s+/), ['DATACENTER', 'LAN', 'NAME', 'INTERFACE']);
    assert.deepEqual(tableRows(listed.stdout), [[dc, '2', 'office', 'ens4.100'], [dc, '10', 'eth10']], 'numeric order; LAN 10 has no name');

    await svc.reconciler.runPass();
    assert.equal(driver.applied.get(gateway.body.id)?.connections[0]?.hostInterface, 'ens4.100', 'the running service applies the binding');
    const tenantView = await svc.request('GET', `/cloudapi/v6/datacenters/${dc}/lans/2`);
    assert.equal(tenantView.body.properties.name, 'office');
    assert.ok(!tenantView.text.includes('ens4.100'), 'the tenant never sees the interface');

    assertOneLine(await cli('lan', 'bind', '--datacenter', dc, '--lan', '3', '--interface', 'ens4.100'), 1, /interface ens4\.100 is already LAN 2 of datacenter/);
    const unbound = await cli('lan', 'unbind', '--datacenter', dc, '--lan', '2');
    assert.equal(unbound.status, 0, unbound.stderr);
    assert.deepEqual(tableRows((await cli('lan', 'list')).stdout).find((r) => r[0] === dc && r[1] === '2'), [dc, '2', 'office', '-']);
    await svc.reconciler.runPass();
    assert.equal(driver.applied.get(gateway.body.id)?.connections[0]?.hostInterface, undefined);
    assertOneLine(await cli('lan', 'unbind', '--datacenter', dc, '--lan', '77'), 1, new RegExp(`datacenter ${dc} has no LAN 77`));
  });

  test('lan bind: a datacenter nobody has is exit status 1 pointing at datacenter create; bad names are usage errors', async () => {
    const unknown = randomUUID();
    assertOneLine(await cli('lan', 'bind', '--datacenter', unknown, '--lan', '2', '--interface', 'eth1'), 1,
      new RegExp(`^vpngw lan bind: there is no datacenter ${unknown}; declare it first with \`vpngw datacenter create`));
    const dc = (await cli('datacenter', 'create', '--contract', A)).stdout.trim();
    for (const name of ['averyverylongname', 'eth0/1', 'eth 1', '.eth1']) {
      assertOneLine(await cli('lan', 'bind', '--datacenter', dc, '--lan', '2', '--interface', name), 2, /--interface must be a Linux interface name/);
    }
    assertOneLine(await cli('lan', 'bind', '--datacenter', dc, '--lan', '2', '--interface=-eth1'), 2, /--interface must be a Linux interface name/);
    assertOneLine(await cli('lan', 'bind', '--datacenter', dc, '--lan', 'two', '--interface', 'eth1'), 2, /--lan must be a LAN id of digits only/);
    assertOneLine(await cli('lan', 'bind', '--datacenter', 'nope', '--lan', '2', '--interface', 'eth1'), 2, /--datacenter must be a UUID/);
    assertOneLine(await cli('lan', 'bind', '--datacenter', dc, '--lan', '2'), 2, /--interface is required/);
    assert.equal(await svc.store.findLan(dc, '2'), undefined, 'nothing was bound');
    const fifteen = await cli('lan', 'bind', '--datacenter', dc, '--lan', '2', '--interface', 'a23456789012345');
    assert.equal(fifteen.status, 0, `15 characters is a valid name: ${fifteen.stderr}`);
  });
});
