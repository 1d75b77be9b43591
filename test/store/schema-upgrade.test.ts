import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { GroupPrivilegeNames } from '../../src/schemas/user-management.ts';
import { hashPassword } from '../../src/security/passwords.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { assembleService } from '../../src/service-assembly.ts';
import { MIGRATION_NAMES, migrationProvider } from '../../src/store/migrations.ts';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import { NewerSchemaError } from '../../src/store/schema-version.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { basicAuth, eventually } from '../support/test-service.ts';
import { DATACENTER_ID, GATEWAY_PRIVATE_KEY, GATEWAY_PUBLIC_KEY, PEER_PUBLIC_KEY, PSK } from '../support/fixtures.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres-database.ts';

/** The last migration of the previous release: its databases are what an upgrade starts from. */
const PREVIOUS_RELEASE = '0002-groups-and-audit';
const CONTRACT = 31000001;
const ADMIN = { id: '0b6c7a8e-1f3a-4c55-9b1e-2d3f4a5b6c7d', email: 'admin@previous.test', password: 'the-old-release-password' };
const WG = '11111111-1111-4111-8111-111111111111';
const PEER = '22222222-2222-4222-8222-222222222222';
const IPSEC = '33333333-3333-4333-8333-333333333333';
const TUNNEL = '44444444-4444-4444-8444-444444444444';
const GROUP = '55555555-5555-4555-8555-555555555555';
const DATE = '2024-03-01T10:00:00.000Z';

const stamps = { created_date: DATE, created_by: ADMIN.email, created_by_user_id: ADMIN.id, last_modified_date: DATE, last_modified_by: ADMIN.email, last_modified_by_user_id: ADMIN.id };
const lan2 = { datacenterId: DATACENTER_ID, lanId: '2', ipv4CIDR: '192.168.1.100/24' };

/** The previous release's migration list: this build's, cut after PREVIOUS_RELEASE. */
async function previousReleaseMigrations(): Promise<Record<string, Migration>> {
  const all = await migrationProvider.getMigrations();
  return Object.fromEntries(Object.entries(all).filter(([name]) => name <= PREVIOUS_RELEASE));
}

/** Fills a database as the previous release would have: a contract, its administrator, a group, gateways with secrets, an audit record. */
async function writePreviousRelease(db: Kysely<any>, box: SecretBox) { // eslint-disable-line @typescript-eslint/no-explicit-any -- rows as they were then
  const migrations = await previousReleaseMigrations();
  assert.equal((await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest()).error, undefined);
  await db.insertInto('contracts').values({ number: CONTRACT, created_date: DATE }).execute();
  await db.insertInto('users').values({
    id: ADMIN.id, contract_number: CONTRACT, email: ADMIN.email, password_hash: await hashPassword(ADMIN.password), firstname: 'Old', lastname: 'Admin',
    administrator: 1, active: 1, created_date: DATE, last_modified_date: DATE,
  }).execute();
  await db.insertInto('groups').values({ id: GROUP, contract_number: CONTRACT, properties: JSON.stringify({ name: 'vpn', ...Object.fromEntries(GroupPrivilegeNames.map((p) => [p, p === 'accessAndManageVpn'])) }), access_and_manage_vpn: 1, created_date: DATE, last_modified_date: DATE }).execute();
  await db.insertInto('group_members').values({ group_id: GROUP, user_id: ADMIN.id }).execute();
  const gateway = (id: string, kind: string, properties: object, secret: string | null, publicKey: string | null) => ({
    id, contract_number: CONTRACT, kind, properties: JSON.stringify(properties), secret, public_key: publicKey,
    status: 'AVAILABLE', status_message: null, generation: 1, applied_generation: 1, deleting: 0, ...stamps,
  });
  await db.insertInto('gateways').values([
    gateway(WG, 'wireguard', { name: 'old-wg', gatewayIP: '192.0.2.10', interfaceIPv4CIDR: '172.16.0.1/24', connections: [lan2], listenPort: 51820, tier: 'STANDARD', maintenanceWindow: { time: '04:00:00', dayOfTheWeek: 'Wednesday' } },
      box.seal(GATEWAY_PRIVATE_KEY, WG), GATEWAY_PUBLIC_KEY),
    gateway(IPSEC, 'ipsec', { name: 'old-ipsec', gatewayIP: '192.0.2.20', connections: [lan2], version: 'IKEv2', tier: 'STANDARD', maintenanceWindow: { time: '01:00:00', dayOfTheWeek: 'Sunday' } }, null, null),
  ]).execute();
  const security = { diffieHellmanGroup: '16-MODP4096', encryptionAlgorithm: 'AES256', integrityAlgorithm: 'SHA256' };
  await db.insertInto('gateway_children').values([
    { id: PEER, gateway_id: WG, kind: 'peer', properties: JSON.stringify({ name: 'old-laptop', allowedIPs: ['172.16.0.2/32'], publicKey: PEER_PUBLIC_KEY }), secret: null, unique_key: PEER_PUBLIC_KEY, generation: 1, ...stamps },
    {
      id: TUNNEL, gateway_id: IPSEC, kind: 'tunnel', secret: box.seal(PSK, TUNNEL), unique_key: '203.0.113.9', generation: 1, ...stamps,
      properties: JSON.stringify({ name: 'old-site', remoteHost: '203.0.113.9', cloudNetworkCIDRs: ['192.168.1.0/24'], peerNetworkCIDRs: ['10.0.1.0/24'], auth: { method: 'PSK' }, ike: { ...security, lifetime: 86400 }, esp: { ...security, lifetime: 3600 } }),
    },
  ]).execute();
  await db.insertInto('audit_records').values({
    id: '66666666-6666-4666-8666-666666666666', contract_number: CONTRACT, user_id: ADMIN.id, user_email: ADMIN.email, operation: 'POST /wireguardgateways',
    resource_id: WG, http_status: 201, outcome: 'success', request_id: 'old-request', client_ip: '127.0.0.1',
    date: new Date(Date.now() - 3_600_000).toISOString(), // recent: records past the retention are purged
  }).execute();
}

interface Engine {
  /** A fresh database; `db` to write it directly; the VPNGW_* settings a service opens it with. */
  create(dataDir: string): Promise<{ db: Kysely<any>; env: Record<string, string>; drop(): Promise<void> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  open(env: Record<string, string>, dataDir: string): Promise<{ close(): Promise<void> }>;
}

const sqliteEngine: Engine = {
  async create(dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dataDir, 'vpngw.sqlite')) }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
    return { db, env: {}, drop: async () => undefined };
  },
  open: (_env, dataDir) => openSqliteStore(join(dataDir, 'vpngw.sqlite')),
};

const postgresEngine: Engine = {
  async create() {
    const database = await createTestDatabase();
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
    return { db, env: { VPNGW_DATABASE_URL: database.url }, drop: database.drop };
  },
  open: (env) => openPostgresStore(env.VPNGW_DATABASE_URL ?? ''),
};

function describeUpgrade(name: string, engine: Engine) {
  describe(`upgrades on ${name}`, () => {
    const dirs: string[] = [];
    const scratch = () => {
      const dir = mkdtempSync(join(tmpdir(), 'vpngw-upgrade-'));
      dirs.push(dir);
      return dir;
    };
    after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    test('a database of the previous release (migrations up to 0002) is upgraded at start with its data intact and its secrets usable', async () => {
      const dataDir = scratch();
      const key = randomBytes(32);
      writeFileSync(join(dataDir, 'secret.key'), `${key.toString('base64')}\n`, { mode: 0o600 });
      const created = await engine.create(dataDir);
      await writePreviousRelease(created.db, new SecretBox(key));
      await created.db.destroy();

      const env = { VPNGW_DATA_DIR: dataDir, VPNGW_LOG_LEVEL: 'warn', VPNGW_RECONCILE_INTERVAL_MS: '100000', VPNGW_ADMIN_PASSWORD: 'not-used-any-more', ...created.env };
      const sink = new Writable({ write: (_c, _e, done) => done() });
      const service = await assembleService(loadConfig([], env), createLogger('warn', sink));
      try {
        assert.equal(service.administratorCreated, false, 'the existing administrator is kept, no new one is made');
        const get = async (url: string) => {
          const response = await service.app.inject({ method: 'GET', url, headers: { authorization: basicAuth(ADMIN.email, ADMIN.password) } });
          assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
          return response;
        };
        const wg = (await get(`/wireguardgateways/${WG}`)).json();
        assert.equal(wg.properties.name, 'old-wg');
        assert.equal(wg.metadata.publicKey, GATEWAY_PUBLIC_KEY);
        assert.deepEqual((await get(`/wireguardgateways/${WG}/peers`)).json().items.map((p: { id: string }) => p.id), [PEER]);
        assert.deepEqual((await get(`/ipsecgateways/${IPSEC}/tunnels`)).json().items.map((t: { properties: { name: string } }) => t.properties.name), ['old-site']);
        assert.deepEqual((await get('/cloudapi/v6/um/groups')).json().items.map((g: { id: string }) => g.id), [GROUP]);
        assert.ok((await get('/audit/v1/records')).json().items.some((r: { requestId?: string; properties?: { requestId?: string } }) => JSON.stringify(r).includes('old-request')));
        assert.deepEqual((await get('/cloudapi/v6/datacenters')).json().items.map((d: { id: string }) => d.id), [DATACENTER_ID], 'the upgrade gave the named datacenter to the contract');
        const metrics = (await get('/metrics')).body;
        assert.match(metrics, new RegExp(`^vpngw_schema_version\\{migration="${MIGRATION_NAMES.at(-1)}"\\} ${Number.parseInt(MIGRATION_NAMES.at(-1) ?? '', 10)}$`, 'm'));

        // The secrets written by the previous release still decrypt: the files driver renders them.
        const wgFile = join(dataDir, 'dataplane', 'wireguard', `${WG}.conf`);
        const ipsecFile = join(dataDir, 'dataplane', 'ipsec', `${IPSEC}.swanctl.conf`);
        await eventually(async () => existsSync(wgFile) && existsSync(ipsecFile), 10_000, 'the rendered configurations');
        assert.match(readFileSync(wgFile, 'utf8'), new RegExp(`PrivateKey = ${GATEWAY_PRIVATE_KEY.replace(/[+/]/g, '\\$&')}`));
        assert.match(readFileSync(wgFile, 'utf8'), new RegExp(PEER_PUBLIC_KEY.replace(/[+/]/g, '\\$&')));
        assert.ok(readFileSync(ipsecFile, 'utf8').includes(`secret = 0s${Buffer.from(PSK).toString('base64')}`));
      } finally {
        await service.close();
        await created.drop();
      }
    });

    test('a database a newer vpngw migrated is refused with a message naming the migration it does not know', async () => {
      const dataDir = scratch();
      const created = await engine.create(dataDir);
      try {
        assert.equal((await new Migrator({ db: created.db, provider: migrationProvider }).migrateToLatest()).error, undefined);
        await sql`insert into kysely_migration (name, timestamp) values (${'9999-from-a-newer-release'}, ${new Date().toISOString()})`.execute(created.db);
        await created.db.destroy();
        await assert.rejects(engine.open(created.env, dataDir), (error: unknown) => {
          assert.ok(error instanceof NewerSchemaError);
          assert.match(error.message, /written by a newer vpngw.*9999-from-a-newer-release.*does not know/);
          return true;
        });
      } finally {
        await created.drop();
      }
    });
  });
}

describeUpgrade('SQLite', sqliteEngine);
if (!postgresUnavailable()) describeUpgrade('PostgreSQL', postgresEngine);
