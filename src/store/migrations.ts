import { sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** Who created and last changed a row, and when: the metadata of every VPN resource. */
function withStampColumns<T extends string>(table: CreateTableBuilder<T, never>) {
  return table
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_user_id', 'text', (c) => c.notNull())
    .addColumn('last_modified_date', 'text', (c) => c.notNull())
    .addColumn('last_modified_by', 'text', (c) => c.notNull())
    .addColumn('last_modified_by_user_id', 'text', (c) => c.notNull());
}

/** Hand-written, forward-only migrations; names sort in the order they run. */
const migrations: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('contracts')
        .addColumn('number', 'integer', (c) => c.primaryKey())
        .addColumn('created_date', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_number', 'integer', (c) => c.notNull().references('contracts.number'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('firstname', 'text', (c) => c.notNull())
        .addColumn('lastname', 'text', (c) => c.notNull())
        .addColumn('administrator', 'integer', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_date', 'text', (c) => c.notNull())
        .addColumn('last_modified_date', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_date', 'text', (c) => c.notNull())
        .addColumn('expiration_date', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('gateways')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_number', 'integer', (c) => c.notNull().references('contracts.number'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('public_key', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_message', 'text')
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('applied_generation', 'integer', (c) => c.notNull())
        .addColumn('deleting', 'integer', (c) => c.notNull())
        .$call(withStampColumns)
        .execute();
      await db.schema
        .createIndex('gateways_by_contract')
        .on('gateways')
        .columns(['contract_number', 'kind', 'created_date', 'id'])
        .execute();
      await db.schema
        .createTable('gateway_children')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('gateway_id', 'text', (c) => c.notNull().references('gateways.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('unique_key', 'text')
        .addColumn('generation', 'integer', (c) => c.notNull())
        .$call(withStampColumns)
        .execute();
      await db.schema
        .createIndex('gateway_children_by_gateway')
        .on('gateway_children')
        .columns(['gateway_id', 'created_date', 'id'])
        .execute();
      await db.schema
        .createIndex('gateway_children_unique_key')
        .on('gateway_children')
        .columns(['gateway_id', 'unique_key'])
        .unique()
        .execute();
    },
  },
  '0002-groups-and-audit': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_number', 'integer', (c) => c.notNull().references('contracts.number'))
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('access_and_manage_vpn', 'integer', (c) => c.notNull())
        .addColumn('created_date', 'text', (c) => c.notNull())
        .addColumn('last_modified_date', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('groups_by_contract').on('groups').columns(['contract_number', 'created_date', 'id']).execute();
      await db.schema
        .createTable('group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('group_members_by_user').on('group_members').column('user_id').execute();
      await db.schema.createIndex('users_by_contract').on('users').columns(['contract_number', 'created_date', 'id']).execute();
      await db.schema.createIndex('tokens_by_user').on('tokens').column('user_id').execute();
      await db.schema
        .createTable('audit_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_number', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_email', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('http_status', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('client_ip', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_by_contract').on('audit_records').columns(['contract_number', 'date', 'id']).execute();
    },
  },
  '0003-datacenters-and-lans': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('datacenters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_number', 'integer', (c) => c.notNull().references('contracts.number'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('declared', 'integer', (c) => c.notNull())
        .addColumn('created_date', 'text', (c) => c.notNull())
        .addColumn('last_modified_date', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('datacenters_by_contract').on('datacenters').columns(['contract_number', 'created_date', 'id']).execute();
      await db.schema
        .createTable('lans')
        .addColumn('datacenter_id', 'text', (c) => c.notNull().references('datacenters.id').onDelete('cascade'))
        .addColumn('lan_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('host_interface', 'text')
        .addColumn('created_date', 'text', (c) => c.notNull())
        .addColumn('last_modified_date', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lans_pk', ['datacenter_id', 'lan_id'])
        .execute();
      // One host interface is one LAN: two LANs on one interface would join two networks (NULLs are distinct).
      await db.schema.createIndex('lans_by_host_interface').on('lans').column('host_interface').unique().execute();
      await claimExistingConnections(db as Kysely<any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- rows as they were then
    },
  },
  '0004-resource-ids': {
    async up(db: Kysely<unknown>) {
      // Every gateway's, peer's and tunnel's id, whatever its kind: the primary key makes ids unique across all.
      await db.schema
        .createTable('resource_ids')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_number', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into resource_ids (id, contract_number, kind) select id, contract_number, kind from gateways`.execute(db);
      // A child that already shares a gateway's id (possible before this migration) keeps it; the gateway holds the id.
      await sql`insert into resource_ids (id, contract_number, kind)
        select c.id, g.contract_number, c.kind from gateway_children c join gateways g on g.id = c.gateway_id
        where c.id not in (select id from resource_ids)`.execute(db);
    },
  },
  '0005-audit-records-by-date': {
    async up(db: Kysely<unknown>) {
      // Expired audit records (VPNGW_AUDIT_RETENTION_DAYS) are found by date alone.
      await db.schema.createIndex('audit_by_date').on('audit_records').column('date').execute();
    },
  },
  '0006-fleet-hosts': {
    async up(db: Kysely<unknown>) {
      // Gateway hosts (each runs an agent) and what they hold; see src/store/host-store.ts.
      await db.schema
        .createTable('hosts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('created_date', 'text', (c) => c.notNull())
        .addColumn('last_contact', 'text', (c) => c.notNull())
        .addColumn('credential_hash', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema
        .createTable('host_enrollment_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      // The host's inventory: addresses it holds, blocks delegated to it, and its LANs' interfaces.
      await db.schema
        .createTable('host_addresses')
        .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('host_addresses_pk', ['host_id', 'address'])
        .execute();
      await db.schema
        .createTable('host_address_blocks')
        .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
        .addColumn('cidr', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('host_address_blocks_pk', ['host_id', 'cidr'])
        .execute();
      await db.schema
        .createTable('host_lans')
        .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
        .addColumn('datacenter_id', 'text', (c) => c.notNull())
        .addColumn('lan_id', 'text', (c) => c.notNull())
        .addColumn('interface', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('host_lans_pk', ['host_id', 'datacenter_id', 'lan_id'])
        .execute();
      // Where each gateway runs (host_id null: no host holds its address), and the change log agents watch.
      await db.schema
        .createTable('gateway_placements')
        .addColumn('gateway_id', 'text', (c) => c.primaryKey())
        .addColumn('host_id', 'text')
        .execute();
      await db.schema.createIndex('gateway_placements_by_host').on('gateway_placements').column('host_id').execute();
      await db.schema
        .createTable('fleet_changes')
        .addColumn('revision', 'bigint', (c) => c.notNull())
        .addColumn('host_id', 'text', (c) => c.notNull())
        .addColumn('gateway_id', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fleet_changes_by_host').on('fleet_changes').columns(['host_id', 'revision']).execute();
      // One row: the fleet's revision (64 bits: every gateway write raises it). Writers raise it in their transaction, which orders them (a row lock on PostgreSQL).
      await db.schema
        .createTable('fleet_revision')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into fleet_revision (id, value) values (1, 0)`.execute(db);
    },
  },
  // What each gateway's agent last observed of its sessions (a fleet's /status and live metrics); one row per gateway.
  '0007-gateway-live-state': {
    async up(db) {
      await db.schema
        .createTable('gateway_live_state')
        .addColumn('gateway_id', 'text', (c) => c.primaryKey().references('gateways.id').onDelete('cascade'))
        .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('observed_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gateway_live_state_by_host').on('gateway_live_state').column('host_id').execute();
    },
  },
  // The change log is trimmed to its latest revisions; a watch resuming from below this gets a snapshot.
  '0008-fleet-change-trim': {
    async up(db) {
      await db.schema.alterTable('fleet_revision').addColumn('trimmed_through', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
};

/**
 * Gateways stored before datacenters had owners: each datacenter they name goes to the contract of
 * the oldest gateway naming it (as if claimed by first use), with that contract's LANs in it. Kept
 * here, not in the store code, so that the migration stays what it was when the code moves on.
 */
async function claimExistingConnections(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const gateways = await db.selectFrom('gateways').select(['contract_number', 'properties', 'created_date']).orderBy('created_date').orderBy('id').execute();
  const owners = new Map<string, number>();
  const lans = new Map<string, { datacenter_id: string; lan_id: string; created_date: string }>();
  for (const gateway of gateways as Array<{ contract_number: unknown; properties: string; created_date: string }>) {
    const contract = Number(gateway.contract_number);
    const connections = (JSON.parse(gateway.properties) as { connections?: Array<{ datacenterId: string; lanId: string }> }).connections ?? [];
    for (const c of connections) {
      const datacenter = c.datacenterId.toLowerCase();
      if (!owners.has(datacenter)) {
        owners.set(datacenter, contract);
        await db.insertInto('datacenters').values({
          id: datacenter, contract_number: contract, name: '', location: '', declared: 0, created_date: gateway.created_date, last_modified_date: gateway.created_date,
        }).execute();
      }
      const key = `${datacenter}/${c.lanId}`;
      if (owners.get(datacenter) === contract && !lans.has(key)) lans.set(key, { datacenter_id: datacenter, lan_id: c.lanId, created_date: gateway.created_date });
    }
  }
  for (const lan of lans.values()) {
    await db.insertInto('lans').values({ ...lan, name: '', host_interface: null, last_modified_date: lan.created_date }).execute();
  }
}

/** Every migration's name, in the order they run: the newest is the schema version of this build. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations).sort();

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
