import type { HostState } from '../domain/placement.ts';

/**
 * The fleet's own aggregate, apart from the VPN resources' Store: gateway hosts, their enrollment,
 * their inventory, where each gateway is placed, and the change log the agents watch.
 *
 * Revisions: one counter for the whole fleet. Every transaction that can change what a host must run
 * (a gateway write, a host's inventory, drain or removal) raises it before it places anything, which
 * orders those transactions (a row lock on PostgreSQL; SQLite runs one at a time); a gateway write does
 * so as its last step, so that the lock is never held while waiting for another. It re-places the gateways concerned
 * and logs, at the new revision, one change per (host, gateway) it touched: the gateway changed on
 * the host, arrived there, or left it. An agent at revision R asks for the changes after R; the
 * revision it is answered is read before the changes, so a change is never skipped.
 */

export interface HostRecord {
  id: string;
  name: string;
  state: HostState;
  version: string;
  createdDate: string;
  lastContact: string;
}

/** A host as the administrators list it. */
export interface HostSummary extends HostRecord {
  addressCount: number;
  delegatedBlockCount: number;
  gatewayCount: number;
}

export interface HostLan {
  datacenterId: string;
  lanId: string;
  interface: string;
}

/** What a host tells the control plane it has. */
export interface HostInventory {
  /** Addresses on the host: candidate gatewayIPs. */
  addresses: string[];
  /** CIDR blocks delegated to the host, whose addresses its agent may assign to gateways. */
  delegatedBlocks: string[];
  lans: HostLan[];
}

export interface EnrollmentTokenRecord {
  id: string;
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  tokenHash: string;
  expiresAt: string;
  createdBy: string;
}

/** Why an enrollment did not happen. */
export type EnrollmentRefusal = 'TOKEN_REFUSED' | 'NAME_TAKEN';

/** What changed for one host since a revision. */
/** What a sent inventory did: nothing but a contact (the same as stored), placed gateways again, or found no host. */
export type InventoryOutcome = 'unchanged' | 'replaced' | 'removed';

export interface HostChanges {
  /** The revision the answer is complete up to: the cursor of the next request. */
  revision: number;
  /** A snapshot: asked for, or the changes after `since` were already trimmed from the log. */
  full: boolean;
  /** Every gateway placed on the host now (snapshot), or the ones changed since (incremental). */
  placed: string[];
  /** Gateways that left the host since the revision (incremental only). */
  removed: string[];
}

/** A gateway no host runs, and why. */
export interface UnplacedGateway {
  id: string;
  contractNumber: number;
  gatewayIP: string;
  message: string;
}

export interface HostStore {
  insertEnrollmentToken(token: EnrollmentTokenRecord): Promise<void>;
  /**
   * Uses the enrollment token (unused, unexpired at `now`: it is spent whoever wins a race for it)
   * and creates the host with the credential's hash, in one transaction.
   */
  enrollHost(tokenHash: string, host: HostRecord, credentialHash: string): Promise<EnrollmentRefusal | undefined>;
  findHostByCredential(credentialHash: string): Promise<HostRecord | undefined>;
  findHost(id: string): Promise<HostRecord | undefined>;
  listHosts(): Promise<HostSummary[]>;
  getInventory(hostId: string): Promise<HostInventory>;
  /** Replaces the host's inventory and version, notes the contact, re-places gateways; false when the host is gone. */
  replaceInventory(hostId: string, inventory: HostInventory, version: string, now: string): Promise<InventoryOutcome>;
  /** Notes that the host was in contact (a heartbeat), clearing its gateways' silent-host message. */
  touchHost(hostId: string, now: string): Promise<void>;
  /**
   * Gives the gateways of every ACTIVE host last in contact before `contactBefore` the silent-host
   * message (their status stays the agent's); idempotent, safe to run on several servers at once.
   * Returns how many hosts are silent.
   */
  markSilentHosts(contactBefore: string): Promise<number>;
  /** Sets ACTIVE or DRAINING and re-places gateways; false when there is no such host. */
  setHostState(hostId: string, state: HostState): Promise<boolean>;
  /** Removes the host (its credential with it) and re-places its gateways; false when there is no such host. */
  removeHost(hostId: string): Promise<boolean>;
  /** Places every gateway again (at the start of a control plane that owns unplaced gateways' statuses). */
  placeAll(): Promise<void>;
  /** The host's changes after `since`; everything placed on it when `since` is undefined. */
  changesFor(hostId: string, since: number | undefined): Promise<HostChanges>;
  /**
   * Deletes the change log up to `keep` revisions below the current one; a watch resuming from before
   * that gets a snapshot. Answers how many entries went.
   */
  trimChanges(keep: number): Promise<number>;
  /** Every gateway (not being deleted) that no host runs, with the reason, oldest first. */
  listUnplaced(): Promise<UnplacedGateway[]>;
  /** The host a gateway is placed on, null when none. */
  placementOf(gatewayId: string): Promise<string | null>;
  currentRevision(): Promise<number>;
  /** The installation's first contract (the one the first start creates): its administrators run the fleet. */
  firstContractNumber(): Promise<number | undefined>;
}
