import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import ionos from '@ionos-cloud/sdk-nodejs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basicAuth, startTestService, type TestService } from '../support/test-service.ts';

type SdkError = { response?: { status: number; data: { httpStatus: number; messages: Array<{ errorCode: string; message: string }> } } };

/** The SDK's answer to a call that must fail: its HTTP status and the IONOS error body. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const response = (error as SdkError).response;
    assert.ok(response, `no HTTP answer: ${String(error)}`);
    return response;
  }
  throw new Error('the call succeeded');
}

/** The official IONOS Cloud API v6 SDK for Node.js, unchanged, pointed at vpngw's user management. */
describe('the official IONOS Cloud API SDK (@ionos-cloud/sdk-nodejs) manages users and groups', () => {
  let svc: TestService;
  let base = '';
  const sdkFor = (credentials: { username: string; password: string } | { apiKey: string }) => {
    const configuration = new ionos.Configuration({ ...credentials, basePath: `${base}/cloudapi/v6` });
    configuration.setMaxWaitTime(0); // the SDK sleeps before every request otherwise
    return new ionos.UserManagementApi(configuration);
  };

  before(async () => {
    svc = await startTestService();
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
  });
  after(async () => { await svc.stop(); });

  test('users, groups and memberships through the SDK; privileges and errors as the SDK sees them', async () => {
    const admin = sdkFor({ username: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const user = (await admin.umUsersPost({ user: { properties: { firstname: 'Ann', lastname: 'Lee', email: 'Ann@example.com', password: 'ann-password-123', administrator: false, forceSecAuth: false, active: true } } })).data;
    assert.equal(user.type, 'user');
    assert.equal(user.properties?.email, 'ann@example.com');
    assert.ok(user.id && user.href?.endsWith(`/cloudapi/v6/um/users/${user.id}`));
    assert.ok(!JSON.stringify(user).includes('ann-password-123'));

    const group = (await admin.umGroupsPost({ group: { properties: { name: 'vpn operators', accessAndManageVpn: true } } })).data;
    assert.equal(group.type, 'group');
    assert.equal(group.properties?.accessAndManageVpn, true);
    const groupId = group.id ?? '';

    const member = (await admin.umGroupsUsersPost({ groupId, user: { id: user.id } })).data;
    assert.deepEqual(member.entities?.groups?.items?.map((g) => g.id), [groupId]);
    const members = (await admin.umGroupsUsersGet({ groupId, depth: 1 })).data;
    assert.deepEqual(members.items?.map((u) => u.id), [user.id]);
    const users = (await admin.umUsersGet({ depth: 1 })).data;
    assert.deepEqual(users.items?.map((u) => u.properties?.email).sort(), [ADMIN_EMAIL, 'ann@example.com']);
    const found = (await admin.umUsersFindById({ userId: user.id ?? '', depth: 2 })).data;
    assert.deepEqual(found.entities?.groups?.items?.map((g) => g.id), [groupId]);

    // A member of the VPN group, with a token, is not an administrator: user management is 403 for it.
    const token = await (await fetch(`${base}/auth/v1/tokens/generate`, { headers: { authorization: basicAuth('ann@example.com', 'ann-password-123') } })).json() as { token: string };
    const forbidden = await refusal(sdkFor({ apiKey: token.token }).umUsersGet({}));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.data.httpStatus, 403);
    const vpn = await fetch(`${base}/wireguardgateways`, { headers: { authorization: `Bearer ${token.token}` } });
    assert.equal(vpn.status, 200, 'the group grants the VPN API');

    const duplicate = await refusal(admin.umUsersPost({ user: { properties: { firstname: 'A', lastname: 'L', email: 'ann@example.com', password: 'another-password-1', administrator: false, forceSecAuth: false, active: true } } }));
    assert.equal(duplicate.status, 409);
    assert.match(duplicate.data.messages[0]?.message ?? '', /email/);

    const renamed = (await admin.umGroupsPut({ groupId, group: { properties: { name: 'renamed', accessAndManageVpn: true } } })).data;
    assert.equal(renamed.properties?.name, 'renamed');
    const updated = (await admin.umUsersPut({ userId: user.id ?? '', user: { properties: { firstname: 'Anne', lastname: 'Lee', email: 'ann@example.com', administrator: false, forceSecAuth: false, active: true } } })).data;
    assert.equal(updated.properties?.firstname, 'Anne');

    await admin.umGroupsUsersDelete({ groupId, userId: user.id ?? '' });
    assert.deepEqual((await admin.umGroupsUsersGet({ groupId })).data.items, []);
    assert.equal((await fetch(`${base}/wireguardgateways`, { headers: { authorization: `Bearer ${token.token}` } })).status, 403, 'leaving the group takes the VPN API away at once');
    await admin.umUsersDelete({ userId: user.id ?? '' });
    await admin.umGroupsDelete({ groupId });
    const gone = await refusal(admin.umUsersFindById({ userId: user.id ?? '' }));
    assert.equal(gone.status, 404);
    assert.equal(gone.data.messages[0]?.errorCode, 'NOT_FOUND');
  });
});
