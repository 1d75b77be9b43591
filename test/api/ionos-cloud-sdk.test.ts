import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import ionos from '@ionos-cloud/sdk-nodejs';
import { DatacenterAdministration } from '../../src/service/datacenter-admin.ts';
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

/** The same SDK reading the caller's datacenters and LANs (Cloud API v6 shapes), as a tenant would list where to attach a gateway. */
describe('the official IONOS Cloud API SDK reads the contract\'s datacenters and LANs', () => {
  let svc: TestService;
  let base = '';
  const DATACENTER = '3f0b5c2e-8d4a-4b6c-9e1f-2a3b4c5d6e7f';
  const configuration = (credentials: { username: string; password: string }) => {
    const c = new ionos.Configuration({ ...credentials, basePath: `${base}/cloudapi/v6` });
    c.setMaxWaitTime(0);
    return c;
  };

  before(async () => {
    svc = await startTestService();
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    const connections = [{ datacenterId: DATACENTER, lanId: '2', ipv4CIDR: '192.168.1.100/24' }, { datacenterId: DATACENTER, lanId: '10', ipv4CIDR: '192.168.10.100/24' }];
    const created = await svc.request('POST', '/ipsecgateways', { properties: { name: 'dc', gatewayIP: '192.0.2.20', connections } });
    assert.equal(created.status, 201, created.text);
    await new DatacenterAdministration(svc.store).bindLan({ datacenterId: DATACENTER, lanId: '2', hostInterface: 'sdk-lan-if0', name: 'office' });
    await svc.auth.createContract('other@example.com', 'other-password');
  });
  after(async () => { await svc.stop(); });

  test('datacentersGet, datacentersFindById, datacentersLansGet and datacentersLansFindById deserialize what vpngw answers', async () => {
    const admin = configuration({ username: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const datacenters = new ionos.DataCentersApi(admin);
    const lans = new ionos.LANsApi(admin);

    const list = (await datacenters.datacentersGet({ depth: 1 })).data;
    assert.equal(list.type, 'collection');
    assert.deepEqual(list.items?.map((d) => d.id), [DATACENTER]);
    const found = (await datacenters.datacentersFindById({ datacenterId: DATACENTER, depth: 1 })).data;
    assert.equal(found.type, 'datacenter');
    assert.equal(found.properties.location, 'de/fra');
    assert.equal(found.properties.version, 1);
    assert.equal(found.properties.secAuthProtection, false);
    assert.equal(found.metadata?.state, 'AVAILABLE');
    assert.ok(found.href?.endsWith(`/cloudapi/v6/datacenters/${DATACENTER}`));

    const lanList = (await lans.datacentersLansGet({ datacenterId: DATACENTER, depth: 1 })).data;
    assert.deepEqual(lanList.items?.map((l) => [l.id, l.type, l.properties.name]), [['2', 'lan', 'office'], ['10', 'lan', '']]);
    const lan = (await lans.datacentersLansFindById({ datacenterId: DATACENTER, lanId: '2', depth: 1 })).data;
    assert.equal(lan.properties.name, 'office');
    assert.equal((lan.properties as unknown as { public: boolean }).public, false);
    assert.deepEqual(lan.properties.ipFailover, []);
    assert.ok(!JSON.stringify([list, found, lanList, lan]).includes('sdk-lan-if0'), 'the host interface is the operator\'s');

    const missing = await refusal(lans.datacentersLansFindById({ datacenterId: DATACENTER, lanId: '3' }));
    assert.equal(missing.status, 404);
    const other = configuration({ username: 'other@example.com', password: 'other-password' });
    const hidden = await refusal(new ionos.DataCentersApi(other).datacentersFindById({ datacenterId: DATACENTER }));
    assert.equal(hidden.status, 404);
    assert.equal(hidden.data.messages[0]?.errorCode, 'NOT_FOUND');
    assert.deepEqual((await new ionos.DataCentersApi(other).datacentersGet({})).data.items, []);
  });
});
