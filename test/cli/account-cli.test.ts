import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN, startCliHarness, type CliHarness } from './support/cli-harness.ts';

let h: CliHarness;
let credentialsFile = '';

before(async () => {
  h = await startCliHarness();
  writeFileSync(join(h.dir, 'admin-password'), `${ADMIN.password}\n`, { mode: 0o600 });
  credentialsFile = join(h.dir, 'config', 'vpngw', 'credentials.json');
});
after(async () => h?.stop());

const apiOnly = () => ({ VPNGW_API_URL: h.apiUrl });

test('without credentials the API\'s 401 is shown with a hint, status 1', async () => {
  const result = await h.cli(['wireguard', 'gateway', 'list'], { env: apiOnly() });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /401 .*vpngw login/);
});

test('login keeps a token (not the password) in the config directory with mode 0600; later commands use it', async () => {
  const login = await h.cli(['login', '--username', ADMIN.email, '--password-file', join(h.dir, 'admin-password')], { env: apiOnly() });
  assert.equal(login.status, 0, login.stderr);
  assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
  assert.equal(statSync(join(h.dir, 'config', 'vpngw')).mode & 0o777, 0o700);
  const stored = readFileSync(credentialsFile, 'utf8');
  assert.ok(!stored.includes(ADMIN.password));
  assert.equal(JSON.parse(stored).apiUrl, h.apiUrl);
  assert.ok(!login.stdout.includes(JSON.parse(stored).token), 'the token is not printed');
  const list = await h.cli(['ipsec', 'gateway', 'list', '-o', 'json'], { env: apiOnly() });
  assert.equal(list.status, 0, list.stderr);
  assert.equal(list.json().type, 'collection');
});

test('the stored token is not sent to another API URL', async () => {
  const other = await h.cli(['wireguard', 'gateway', 'list', '--api-url', 'http://127.0.0.1:9'], { env: apiOnly() });
  assert.equal(other.status, 1);
  assert.match(other.stderr, /cannot reach the API at http:\/\/127\.0\.0\.1:9/);
});

test('token generate prints a token usable as IONOS_TOKEN; list and revoke', async () => {
  const generated = await h.cli(['token', 'generate', '--ttl', '600', '-o', 'json']);
  assert.equal(generated.status, 0, generated.stderr);
  const token = generated.json().token as string;
  const viaToken = await h.cli(['token', 'list', '-o', 'json'], { env: { ...apiOnly(), IONOS_TOKEN: token } });
  assert.equal(viaToken.status, 0, viaToken.stderr);
  assert.ok(viaToken.json().tokens.length >= 2);
  const table = await h.cli(['token', 'list']);
  assert.match(table.stdout, /^ID\s+CREATED\s+EXPIRES$/m);
  const revoked = await h.cli(['token', 'revoke', '--criteria', 'CURRENT'], { env: { ...apiOnly(), IONOS_TOKEN: token } });
  assert.equal(revoked.status, 0, revoked.stderr);
  const refused = await h.cli(['token', 'list'], { env: { ...apiOnly(), IONOS_TOKEN: token } });
  assert.equal(refused.status, 1);
  const neither = await h.cli(['token', 'revoke']);
  assert.equal(neither.status, 2);
});

test('users and groups: a user in a VPN group can manage gateways', async () => {
  writeFileSync(join(h.dir, 'ops-password'), 'ops-password-123\n');
  const user = await h.cli(['user', 'create', '--email', 'ops@cli.test', '--user-password-file', join(h.dir, 'ops-password'), '--firstname', 'Op', '-o', 'json']);
  assert.equal(user.status, 0, user.stderr);
  const opsEnv = { ...apiOnly(), IONOS_USERNAME: 'ops@cli.test', IONOS_PASSWORD: 'ops-password-123' };
  assert.equal((await h.cli(['wireguard', 'gateway', 'list'], { env: opsEnv })).status, 1, 'no VPN privilege yet (403)');
  const group = await h.cli(['group', 'create', '--name', 'network-team', '--vpn', '-o', 'json']);
  assert.equal(group.status, 0, group.stderr);
  const added = await h.cli(['group', 'add-user', group.json().id, user.json().id]);
  assert.equal(added.status, 0, added.stderr);
  assert.equal((await h.cli(['wireguard', 'gateway', 'list'], { env: opsEnv })).status, 0);
  const groups = await h.cli(['group', 'list']);
  assert.match(groups.stdout, /network-team\s+true\s+1$/m);
  const users = await h.cli(['user', 'list']);
  assert.match(users.stdout, /ops@cli\.test\s+Op\s+false\s+true$/m);
  const members = await h.cli(['group', 'users', group.json().id, '-o', 'json']);
  assert.equal(members.status, 0, members.stderr);
  assert.deepEqual(members.json().items.map((u: { id: string }) => u.id), [user.json().id]);
  assert.equal((await h.cli(['group', 'remove-user', group.json().id, user.json().id])).status, 0);
  assert.equal((await h.cli(['user', 'delete', user.json().id])).status, 0);
  assert.equal((await h.cli(['user', 'get', user.json().id])).status, 1);
});

test('login --password-file - reads the password from standard input once (the connection and login share it)', async () => {
  const login = await h.cli(['login', '--username', ADMIN.email, '--password-file', '-'], { env: apiOnly(), input: `${ADMIN.password}\n` });
  assert.equal(login.status, 0, login.stderr);
  assert.ok(!readFileSync(credentialsFile, 'utf8').includes(ADMIN.password));
  const list = await h.cli(['token', 'list', '-o', 'json'], { env: apiOnly() });
  assert.equal(list.status, 0, list.stderr);
});

test('standard input cannot serve two things at once: a clear usage error', async () => {
  const both = await h.cli(['wireguard', 'gateway', 'create', '--username', ADMIN.email, '--password-file', '-', '--private-key-file', '-'],
    { env: apiOnly(), input: `${ADMIN.password}\n` });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /standard input was already used for the password; give the private key in a file/);
  assert.ok(!both.stderr.includes(ADMIN.password));
});

test('logout revokes the stored token and removes the file', async () => {
  const token = JSON.parse(readFileSync(credentialsFile, 'utf8')).token as string;
  const logout = await h.cli(['logout'], { env: apiOnly() });
  assert.equal(logout.status, 0, logout.stderr);
  assert.equal(existsSync(credentialsFile), false);
  const old = await h.cli(['token', 'list'], { env: { ...apiOnly(), IONOS_TOKEN: token } });
  assert.equal(old.status, 1, 'the token was revoked on the server');
});
