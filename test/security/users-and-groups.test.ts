import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { basicAuth, startTestService, type TestService } from '../support/test-service.ts';
import { wireguardGateway } from '../support/fixtures.ts';
import { assertIonosError } from '../support/api-assertions.ts';

const UM = '/cloudapi/v6/um';

describe('user management and privileges', () => {
  let svc: TestService;
  before(async () => { svc = await startTestService(); });
  after(async () => { await svc.stop(); });

  const createUser = (email: string, extra: Record<string, unknown> = {}) =>
    svc.request('POST', `${UM}/users`, { properties: { firstname: 'Ada', lastname: 'Lovelace', email, password: 'user-password-1', ...extra } });

  test('users in the Cloud API v6 shape; the password is never returned; emails are unique', async () => {
    const created = await createUser('ada@example.com');
    assert.equal(created.status, 202, created.text);
    const u = created.body;
    assert.equal(u.type, 'user');
    assert.equal(u.href, `http://vpn.test${UM}/users/${u.id}`);
    assert.deepEqual(u.properties, {
      firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com', administrator: false, forceSecAuth: false, secAuthActive: false, active: true,
    });
    assert.equal(u.entities.groups.items.length, 0);
    assert.ok(!created.text.includes('user-password-1'));
    const listed = await svc.request('GET', `${UM}/users`);
    assert.ok(listed.body.items.some((x: { id: string }) => x.id === u.id));
    assert.ok(!listed.text.includes('password'));
    assertIonosError(await createUser('ADA@example.com'), 409, /email/);
    assertIonosError(await svc.request('POST', `${UM}/users`, { properties: { email: 'x@example.com' } }), 400, /password/);
    assertIonosError(await svc.request('POST', `${UM}/users`, { properties: { email: 'not-an-email', password: 'long-enough' } }), 400, /email/);
  });

  test('only administrators manage users and groups (403 for others)', async () => {
    await createUser('carl@example.com');
    const carl = { authorization: basicAuth('carl@example.com', 'user-password-1') };
    assertIonosError(await svc.request('GET', `${UM}/users`, undefined, carl), 403);
    assertIonosError(await svc.request('POST', `${UM}/groups`, { properties: { name: 'g' } }, carl), 403);
    const group = (await svc.request('POST', `${UM}/groups`, { properties: { name: 'members' } })).body;
    assertIonosError(await svc.request('GET', `${UM}/groups/${group.id}/users`, undefined, carl), 403);
    assertIonosError(await svc.request('GET', '/audit/v1/records', undefined, carl), 403);
  });

  test('an inactive user cannot authenticate', async () => {
    await createUser('idle@example.com', { active: false });
    assertIonosError(await svc.request('GET', '/auth/v1/tokens/generate', undefined, { authorization: basicAuth('idle@example.com', 'user-password-1') }), 401);
  });

  test('privilege changes take effect on the very next request, also for tokens issued before', async () => {
    const user = (await createUser('bob@example.com')).body;
    const bob = { authorization: basicAuth('bob@example.com', 'user-password-1') };
    const token = (await svc.request('GET', '/auth/v1/tokens/generate', undefined, bob)).body.token;
    const bearer = { authorization: `Bearer ${token}` };
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, bearer), 403);

    const group = (await svc.request('POST', `${UM}/groups`, { properties: { name: 'vpn admins', accessAndManageVpn: true } })).body;
    assert.equal(group.properties.accessAndManageVpn, true);
    assert.equal(group.properties.createDataCenter, false);
    const added = await svc.request('POST', `${UM}/groups/${group.id}/users`, { id: user.id });
    assert.equal(added.status, 202, added.text);
    assert.deepEqual(added.body.entities.groups.items.map((g: { id: string }) => g.id), [group.id]);
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, bearer)).status, 200);
    assert.equal((await svc.request('POST', '/wireguardgateways', wireguardGateway(), bearer)).status, 201);
    assert.deepEqual((await svc.request('GET', `${UM}/groups/${group.id}`)).body.entities.users.items.map((u: { id: string }) => u.id), [user.id]);

    assert.equal((await svc.request('DELETE', `${UM}/groups/${group.id}/users/${user.id}`)).status, 202);
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, bearer), 403);

    await svc.request('POST', `${UM}/groups/${group.id}/users`, { id: user.id });
    assert.equal((await svc.request('GET', '/wireguardgateways', undefined, bearer)).status, 200);
    assert.equal((await svc.request('DELETE', `${UM}/groups/${group.id}`)).status, 202);
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, bearer), 403);

    const noVpn = (await svc.request('POST', `${UM}/groups`, { properties: { name: 'no vpn', accessAndManageVpn: false } })).body;
    await svc.request('POST', `${UM}/groups/${noVpn.id}/users`, { id: user.id });
    assertIonosError(await svc.request('GET', '/wireguardgateways', undefined, bearer), 403);

    assert.equal((await svc.request('DELETE', `${UM}/users/${user.id}`)).status, 202);
    assertIonosError(await svc.request('GET', '/auth/v1/tokens', undefined, bearer), 401);
    assertIonosError(await svc.request('GET', `${UM}/users/${user.id}`), 404);
  });

  test('deactivating a user, or turning off a group\'s VPN flag, takes effect on the next request', async () => {
    const user = (await createUser('dana@example.com')).body;
    const token = (await svc.request('GET', '/auth/v1/tokens/generate', undefined, { authorization: basicAuth('dana@example.com', 'user-password-1') })).body.token;
    const bearer = { authorization: `Bearer ${token}` };
    const group = (await svc.request('POST', `${UM}/groups`, { properties: { name: 'operators', accessAndManageVpn: true } })).body;
    await svc.request('POST', `${UM}/groups/${group.id}/users`, { id: user.id });
    assert.equal((await svc.request('GET', '/ipsecgateways', undefined, bearer)).status, 200);

    const off = await svc.request('PUT', `${UM}/groups/${group.id}`, { properties: { name: 'operators', accessAndManageVpn: false } });
    assert.equal(off.status, 202, off.text);
    assert.equal(off.body.properties.accessAndManageVpn, false);
    assert.deepEqual(off.body.entities.users.items.map((u: { id: string }) => u.id), [user.id], 'members stay');
    assertIonosError(await svc.request('GET', '/ipsecgateways', undefined, bearer), 403);
    await svc.request('PUT', `${UM}/groups/${group.id}`, { properties: { name: 'operators', accessAndManageVpn: true } });
    assert.equal((await svc.request('GET', '/ipsecgateways', undefined, bearer)).status, 200);

    const inactive = await svc.request('PUT', `${UM}/users/${user.id}`, { properties: { email: 'dana@example.com', active: false } });
    assert.equal(inactive.status, 202, inactive.text);
    assert.equal(inactive.body.properties.active, false);
    assertIonosError(await svc.request('GET', '/ipsecgateways', undefined, bearer), 401);
    await svc.request('PUT', `${UM}/users/${user.id}`, { properties: { email: 'dana@example.com', active: true, password: 'a-new-password' } });
    assert.equal((await svc.request('GET', '/ipsecgateways', undefined, bearer)).status, 200, 'reactivated; the token is still valid');
    assertIonosError(await svc.request('GET', '/ipsecgateways', undefined, { authorization: basicAuth('dana@example.com', 'user-password-1') }), 401);
    assert.equal((await svc.request('GET', '/ipsecgateways', undefined, { authorization: basicAuth('dana@example.com', 'a-new-password') })).status, 200);
    assertIonosError(await svc.request('PUT', `${UM}/users/${user.id}`, { properties: { email: 'admin@example.com' } }), 409, /email/);
  });

  test('another contract\'s users and groups are 404; the last administrator cannot be deleted', async () => {
    await svc.auth.createContract('boss@other.example', 'other-password');
    const other = { authorization: basicAuth('boss@other.example', 'other-password') };
    const mine = (await createUser('mine@example.com')).body;
    assertIonosError(await svc.request('GET', `${UM}/users/${mine.id}`, undefined, other), 404);
    assertIonosError(await svc.request('DELETE', `${UM}/users/${mine.id}`, undefined, other), 404);
    const myGroup = (await svc.request('POST', `${UM}/groups`, { properties: { name: 'mine' } })).body;
    await svc.request('POST', `${UM}/groups/${myGroup.id}/users`, { id: mine.id });
    assert.equal((await svc.request('GET', `${UM}/groups/${myGroup.id}/users`)).body.items.length, 1);
    assertIonosError(await svc.request('GET', `${UM}/groups/${myGroup.id}/users`, undefined, other), 404);
    const listed = await svc.request('GET', `${UM}/users`, undefined, other);
    assert.deepEqual(listed.body.items.map((u: { properties: { email: string } }) => u.properties.email), ['boss@other.example']);
    const bossId = listed.body.items[0].id;
    assertIonosError(await svc.request('DELETE', `${UM}/users/${bossId}`, undefined, other), 409);
    assertIonosError(await svc.request('PUT', `${UM}/users/${bossId}`, { properties: { email: 'boss@other.example', administrator: false } }, other), 409);
    const dormant = await svc.request('POST', `${UM}/users`, { properties: { email: 'dormant@other.example', password: 'dormant-pass', administrator: true, active: false } }, other);
    assert.equal((await svc.request('DELETE', `${UM}/users/${dormant.body.id}`, undefined, other)).status, 202, 'an inactive administrator is not the last one');
  });
});
