
/** Row shapes as both engines store them: text, integers, and 0/1 for booleans. */
export interface ContractsTable {
  number: number;
  created_date: string;
}

export interface UsersTable {
  id: string;
  contract_number: number;
  email: string;
  password_hash: string;
  firstname: string;
  lastname: string;
  administrator: number;
  active: number;
  created_date: string;
  last_modified_date: string;
}

export interface TokensTable {
  id: string;
  user_id: string;
  created_date: string;
  expiration_date: string;
}

/** Who created and last changed a row, and when. */
export interface StampColumns {
  created_date: string;
  created_by: string;
  created_by_user_id: string;
  last_modified_date: string;
  last_modified_by: string;
  last_modified_by_user_id: string;
}

export interface GatewaysTable extends StampColumns {
  id: string;
  contract_number: number;
  kind: string;
  properties: string;
  secret: string | null;
  public_key: string | null;
  status: string;
  status_message: string | null;
  generation: number;
  applied_generation: number;
  deleting: number;
}

export interface GatewayChildrenTable extends StampColumns {
  id: string;
  gateway_id: string;
  kind: string;
  properties: string;
  secret: string | null;
  unique_key: string | null;
  generation: number;
}


export interface GroupsTable {
  id: string;
  contract_number: number;
  properties: string;
  access_and_manage_vpn: number;
  created_date: string;
  last_modified_date: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface AuditRecordsTable {
  id: string;
  contract_number: number;
  user_id: string;
  user_email: string;
  operation: string;
  resource_id: string | null;
  http_status: number;
  outcome: string;
  request_id: string;
  client_ip: string;
  date: string;
}

/** Declared by the operator (declared = 1) or claimed by the first gateway that named it (0). */
export interface DatacentersTable {
  id: string;
  contract_number: number;
  name: string;
  location: string;
  declared: number;
  created_date: string;
  last_modified_date: string;
}

/** A LAN of a datacenter; host_interface is the operator's binding to an interface of the gateway host. */
export interface LansTable {
  datacenter_id: string;
  lan_id: string;
  name: string;
  host_interface: string | null;
  created_date: string;
  last_modified_date: string;
}

/** The id of every gateway, peer and tunnel with its contract and kind: ids are unique across all of them. */
export interface ResourceIdsTable {
  id: string;
  contract_number: number;
  kind: string;
}

/** A gateway host running an agent; the credential is stored as its SHA-256 (hex). */
export interface HostsTable {
  id: string;
  name: string;
  state: string;
  version: string;
  created_date: string;
  last_contact: string;
  credential_hash: string;
}

export interface HostEnrollmentTokensTable {
  id: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_by: string;
}

export interface HostAddressesTable {
  host_id: string;
  address: string;
}

export interface HostAddressBlocksTable {
  host_id: string;
  cidr: string;
}

export interface HostLansTable {
  host_id: string;
  datacenter_id: string;
  lan_id: string;
  interface: string;
}

export interface GatewayPlacementsTable {
  gateway_id: string;
  host_id: string | null;
}

/** A change an agent must see: the gateway changed, arrived on or left the host, at this revision. */
export interface FleetChangesTable {
  /** A bigint: PostgreSQL answers it as a string, read through Number(). */
  revision: number | string;
  host_id: string;
  gateway_id: string;
}

export interface FleetRevisionTable {
  id: number;
  /** A bigint: PostgreSQL answers it as a string, read through Number(). */
  value: number | string;
  /** The change log holds no entry at or below this revision (bigint, as value). */
  trimmed_through: number | string;
}

/** A gateway's live state as its host's agent last sent it: state is GatewayLiveState (without namespace) as JSON. */
export interface GatewayLiveStateTable {
  gateway_id: string;
  host_id: string;
  kind: string;
  state: string;
  observed_at: string;
  received_at: string;
}

export interface Database {
  contracts: ContractsTable;
  users: UsersTable;
  tokens: TokensTable;
  gateways: GatewaysTable;
  gateway_children: GatewayChildrenTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  audit_records: AuditRecordsTable;
  datacenters: DatacentersTable;
  lans: LansTable;
  resource_ids: ResourceIdsTable;
  hosts: HostsTable;
  host_enrollment_tokens: HostEnrollmentTokensTable;
  host_addresses: HostAddressesTable;
  host_address_blocks: HostAddressBlocksTable;
  host_lans: HostLansTable;
  gateway_placements: GatewayPlacementsTable;
  fleet_changes: FleetChangesTable;
  fleet_revision: FleetRevisionTable;
  gateway_live_state: GatewayLiveStateTable;
}
