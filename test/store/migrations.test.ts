import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/store/database-schema.ts';
import { migrationProvider } from '../../src/store/migrations.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres-database.ts';

const A = 31000001;
const B = 31000002;
const SHARED = '5a029f4a-72e5-11ec-90d6-0242ac120003';
const ONLY_B = '7c2e4d61-0a5b-4f3c-8e9d-1b2c3d4e5f60';

function gatewayRow(id: string, contract: number, created: string, connections: Array<{ datacenterId: string; lanId: string }>) {
  const who = { by: 'admin@example.com', id: 'u1' };
  return {
    id, contract_number: contract, kind: 'wireguard', properties: JSON.stringify({ name: id, connections }), secret: null, public_key: null,
    status: 'AVAILABLE', status_message: null, generation: 1, applied_generation: 1, deleting: 0,
    created_date: created, created_by: who.by, created_by_user_id: who.id, last_modified_date: created, last_modified_by: who.by, last_modified_by_user_id: who.id,
  };
}

/** A database as 0002 left it, with gateways of two contracts; then migrated to the latest version. */
async function upgradeFrom0002(db: Kysely<Database>) {
  const migrator = new Migrator({ db, provider: migrationProvider });
  assert.equal((await migrator.migrateTo('0002-groups-and-audit')).error, undefined);
  await db.insertInto('contracts').values([{ number: A, created_date: '2024-01-01T00:00:00.000Z' }, { number: B, created_date: '2024-01-01T00:00:00.000Z' }]).execute();
  await db.insertInto('gateways').values([
    gatewayRow('00000000-0000-4000-8000-000000000002', B, '2024-02-02T00:00:00.000Z', [{ datacenterId: SHARED, lanId: '9' }, { datacenterId: ONLY_B, lanId: '1' }]),
    gatewayRow('00000000-0000-4000-8000-000000000001', A, '2024-02-01T00:00:00.000Z', [{ datacenterId: SHARED.toUpperCase(), lanId: '2' }, { datacenterId: SHARED, lanId: '3' }]),
    gatewayRow('00000000-0000-4000-8000-000000000003', A, '2024-02-03T00:00:00.000Z', [{ datacenterId: SHARED, lanId: '2' }]),
  ]).execute();
  assert.equal((await migrator.migrateToLatest()).error, undefined);
}

function describeUpgrade(engine: string, open: () => Promise<{ db: Kysely<Database>; close: () => Promise<void> }>) {
  describe(`migration 0003 on ${engine}`, () => {
    test('the datacenters gateways already name go to the contract of the oldest gateway naming each, with its LANs', async () => {
      const { db, close } = await open();
      try {
        await upgradeFrom0002(db);
        const datacenters = await db.selectFrom('datacenters').select(['id', 'contract_number', 'declared', 'created_date']).orderBy('id').execute();
        assert.deepEqual(datacenters.map((d) => [d.id, Number(d.contract_number), Number(d.declared), d.created_date]), [
          [SHARED, A, 0, '2024-02-01T00:00:00.000Z'],
          [ONLY_B, B, 0, '2024-02-02T00:00:00.000Z'],
        ]);
        const lans = await db.selectFrom('lans').select(['datacenter_id', 'lan_id', 'host_interface']).orderBy('datacenter_id').orderBy('lan_id').execute();
        assert.deepEqual(lans.map((l) => [l.datacenter_id, l.lan_id, l.host_interface]), [
          [SHARED, '2', null], [SHARED, '3', null], [ONLY_B, '1', null],
        ], 'the owner\'s LANs only: B\'s LAN 9 in A\'s datacenter is not recorded');
      } finally {
        await close();
      }
    });
  });
}

function childRow(id: string, gatewayId: string, kind: string) {
  const created = '2024-03-01T00:00:00.000Z';
  return {
    id, gateway_id: gatewayId, kind, properties: '{}', secret: null, unique_key: id, generation: 1,
    created_date: created, created_by: 'admin@example.com', created_by_user_id: 'u1', last_modified_date: created, last_modified_by: 'admin@example.com', last_modified_by_user_id: 'u1',
  };
}

function describeResourceIds(engine: string, open: () => Promise<{ db: Kysely<Database>; close: () => Promise<void> }>) {
  describe(`migration 0004 on ${engine}`, () => {
    test('every existing gateway, peer and tunnel id is held with its contract and kind; a child sharing a gateway\'s id leaves it to the gateway', async () => {
      const { db, close } = await open();
      try {
        const migrator = new Migrator({ db, provider: migrationProvider });
        assert.equal((await migrator.migrateTo('0003-datacenters-and-lans')).error, undefined);
        await db.insertInto('contracts').values([{ number: A, created_date: '2024-01-01T00:00:00.000Z' }, { number: B, created_date: '2024-01-01T00:00:00.000Z' }]).execute();
        const gwA = '00000000-0000-4000-8000-00000000000a';
        const gwB = '00000000-0000-4000-8000-00000000000b';
        await db.insertInto('gateways').values([gatewayRow(gwA, A, '2024-02-01T00:00:00.000Z', []), { ...gatewayRow(gwB, B, '2024-02-02T00:00:00.000Z', []), kind: 'ipsec' }]).execute();
        await db.insertInto('gateway_children').values([
          childRow('00000000-0000-4000-8000-0000000000a1', gwA, 'peer'),
          childRow('00000000-0000-4000-8000-0000000000b1', gwB, 'tunnel'),
          childRow(gwA, gwB, 'tunnel'), // made before ids were unique across kinds
        ]).execute();
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        const held = await db.selectFrom('resource_ids').select(['id', 'contract_number', 'kind']).orderBy('id').execute();
        assert.deepEqual(held.map((r) => [r.id, Number(r.contract_number), r.kind]), [
          [gwA, A, 'wireguard'], [gwB, B, 'ipsec'],
          ['00000000-0000-4000-8000-0000000000a1', A, 'peer'], ['00000000-0000-4000-8000-0000000000b1', B, 'tunnel'],
        ]);
      } finally {
        await close();
      }
    });
  });
}

const openSqlite = async () => {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  return { db, close: () => db.destroy() };
};
describeUpgrade('SQLite', openSqlite);
describeResourceIds('SQLite', openSqlite);

if (!postgresUnavailable()) {
  const openPostgres = async () => {
    const database = await createTestDatabase();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) });
    return { db, close: async () => { await db.destroy(); await database.drop(); } };
  };
  describeUpgrade('PostgreSQL', openPostgres);
  describeResourceIds('PostgreSQL', openPostgres);
}
