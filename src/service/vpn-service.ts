import { randomUUID } from 'node:crypto';
import type { GatewayKind } from '../domain/desired-state.ts';
import { conflict, notFound, unprocessable, type ApiError } from '../domain/errors.ts';
import { firstNetworkClash } from '../domain/network-overlap.ts';
import type { Page } from '../domain/pagination.ts';
import type { Actor, Principal } from '../domain/principal.ts';
import type { SecretBox } from '../security/secret-box.ts';
import {
  ConcurrentChange, IdTaken, type ChildRecord, type GatewayRecord, type IdHolder, type Listing, type ResourceKind, type Stamp, type Store,
  type StoreReader, type StoreWriter,
} from '../store/store.ts';
import { auditedTransaction } from './change-audit.ts';
import { claimConnections } from './datacenter-ownership.ts';
import { childKinds, gatewayKinds, type ChildContent, type ChildKindRules, type GatewayKindRules } from './resource-kinds.ts';

export interface VpnServiceDeps {
  store: Store;
  secretBox: SecretBox;
  /** Called after every committed change, to nudge the reconciler. */
  onChange: () => void;
  now?: () => Date;
}

/** A child with its gateway, whose applied generation gives the child's status. */
export interface ChildView {
  child: ChildRecord;
  gateway: GatewayRecord;
}

/** The VPN resources' use cases: each runs its read-modify-write in one transaction. */
export class VpnService {
  constructor(private readonly deps: VpnServiceDeps) {}

  private readonly now = () => this.deps.now?.() ?? new Date();

  private stamp(principal: Principal): Stamp {
    return { date: this.now().toISOString(), by: principal.email, byUserId: principal.userId };
  }

  /** One transaction: the change and its audit record; `resourceIdOf` names what it created. */
  private async changed<T>(actor: Actor, work: (tx: StoreWriter) => Promise<T>, resourceIdOf?: (result: T) => string): Promise<T> {
    const result = await auditedTransaction(this.deps.store, actor, this.now, work, resourceIdOf);
    this.deps.onChange();
    return result;
  }

  listGateways(principal: Principal, kind: GatewayKind, page: Page): Promise<Listing<GatewayRecord>> {
    return this.deps.store.listGateways(principal.contractNumber, kind, page);
  }

  async getGateway(principal: Principal, kind: GatewayKind, id: string, reader: Pick<StoreReader, 'findGateway'> = this.deps.store): Promise<GatewayRecord> {
    const gateway = await reader.findGateway(principal.contractNumber, kind, id);
    if (!gateway) throw notFound(gatewayKinds[kind].label, id);
    return gateway;
  }

  createGateway(actor: Actor, kind: GatewayKind, input: unknown): Promise<GatewayRecord> {
    const rules = gatewayKinds[kind];
    const id = randomUUID();
    const content = rules.content(id, input, undefined, this.deps.secretBox);
    const stamp = this.stamp(actor);
    const record = this.newGateway(actor, rules, id, content, stamp);
    return this.changed(actor, async (tx) => {
      await claimConnections(tx, actor.contractNumber, rules.connections(content.properties), stamp.date);
      await insertUnlessHeld(tx.insertGateway(record), actor, kind, rules.label, id);
      return record;
    }, (created) => created.id);
  }

  /** PUT: replaces the gateway with this id, or creates it; the body's secret may be left out on replace. */
  ensureGateway(actor: Actor, kind: GatewayKind, id: string, input: unknown): Promise<GatewayRecord> {
    const rules = gatewayKinds[kind];
    return this.changed(actor, async (tx) => {
      await tx.lockGateway(id);
      await refuseHeldId(tx, actor, kind, rules.label, id);
      const existing = await tx.findGatewayAnywhere(id);
      const content = rules.content(id, input, existing, this.deps.secretBox);
      const stamp = this.stamp(actor);
      if (existing) this.refuseWhileDestroying(existing);
      await claimConnections(tx, actor.contractNumber, rules.connections(content.properties), stamp.date);
      if (!existing) {
        const record = this.newGateway(actor, rules, id, content, stamp);
        await insertUnlessHeld(tx.insertGateway(record), actor, kind, rules.label, id);
        return record;
      }
      await this.refusePeerKeyAsGatewayKey(tx, id, content.publicKey);
      const record: GatewayRecord = {
        ...existing, ...content, modified: stamp, generation: existing.generation + 1, status: 'PROVISIONING', statusMessage: null,
      };
      await tx.updateGateway(record);
      return record;
    });
  }

  deleteGateway(actor: Actor, kind: GatewayKind, id: string): Promise<void> {
    return this.changed(actor, async (tx) => {
      await tx.lockGateway(id);
      const gateway = await this.getGateway(actor, kind, id, tx);
      if (gateway.deleting) return;
      await tx.updateGateway({
        ...gateway, deleting: true, status: 'DESTROYING', statusMessage: null, generation: gateway.generation + 1, modified: this.stamp(actor),
      });
    });
  }

  async listChildren(principal: Principal, kind: GatewayKind, gatewayId: string, page: Page) {
    const gateway = await this.getGateway(principal, kind, gatewayId);
    const listing = await this.deps.store.listChildren(gatewayId, gatewayKinds[kind].childKind, page);
    return { gateway, listing };
  }

  async getChild(principal: Principal, kind: GatewayKind, gatewayId: string, id: string): Promise<ChildView> {
    const gateway = await this.getGateway(principal, kind, gatewayId);
    const rules = childKinds[gatewayKinds[kind].childKind];
    const child = await this.deps.store.findChild(gatewayId, rules.kind, id);
    if (!child) throw notFound(rules.label, id);
    return { child, gateway };
  }

  createChild(actor: Actor, kind: GatewayKind, gatewayId: string, input: unknown): Promise<ChildView> {
    return this.writeChild(actor, kind, gatewayId, randomUUID(), input, false);
  }

  ensureChild(actor: Actor, kind: GatewayKind, gatewayId: string, id: string, input: unknown): Promise<ChildView> {
    return this.writeChild(actor, kind, gatewayId, id, input, true);
  }

  deleteChild(actor: Actor, kind: GatewayKind, gatewayId: string, id: string): Promise<void> {
    return this.changed(actor, async (tx) => {
      await tx.lockGateway(gatewayId);
      const gateway = await this.getGateway(actor, kind, gatewayId, tx);
      const rules = childKinds[gatewayKinds[kind].childKind];
      const child = await tx.findChild(gatewayId, rules.kind, id);
      if (!child) throw notFound(rules.label, id);
      this.refuseWhileDestroying(gateway);
      await tx.deleteChild(id);
      await this.bumpGateway(tx, gateway);
    });
  }

  private writeChild(actor: Actor, kind: GatewayKind, gatewayId: string, id: string, input: unknown, mayExist: boolean) {
    const rules = childKinds[gatewayKinds[kind].childKind];
    return this.changed(actor, async (tx): Promise<ChildView> => {
      await tx.lockGateway(gatewayId);
      const gateway = await this.getGateway(actor, kind, gatewayId, tx);
      if (mayExist) await refuseHeldId(tx, actor, rules.kind, rules.label, id);
      const existing = mayExist ? await tx.findChildAnywhere(id) : undefined;
      // The caller's own peer or tunnel of another of its gateways.
      if (existing && existing.gatewayId !== gatewayId) throw idInUse(id);
      const content = rules.content(id, input, gateway, existing, this.deps.secretBox);
      this.refuseWhileDestroying(gateway);
      if (!existing) await this.checkRoomFor(tx, gateway, rules);
      await this.checkSiblings(tx, gatewayId, rules, content, id);
      const bumped = await this.bumpGateway(tx, gateway);
      const stamp = this.stamp(actor);
      const child: ChildRecord = {
        id, gatewayId, kind: rules.kind, ...content, generation: bumped.generation,
        created: existing?.created ?? stamp, modified: stamp,
      };
      await (existing ? tx.updateChild(child) : insertUnlessHeld(tx.insertChild(child), actor, rules.kind, rules.label, id));
      return { child, gateway: bumped };
    }, (view) => view.child.id);
  }

  private async checkRoomFor(tx: StoreWriter, gateway: GatewayRecord, rules: ChildKindRules) {
    if ((await tx.countChildren(gateway.id, rules.kind)) >= rules.maxPerGateway) {
      throw unprocessable(`A gateway has at most ${rules.maxPerGateway} ${rules.label}s.`, 'LIMIT_EXCEEDED');
    }
  }

  /** No sibling of the same kind shares the child's unique key or any part of its remote networks. */
  private async checkSiblings(tx: StoreWriter, gatewayId: string, rules: ChildKindRules, content: ChildContent, id: string) {
    const siblings = (await tx.listAllChildren(gatewayId)).filter((s) => s.kind === rules.kind && s.id !== id);
    if (content.uniqueKey !== null && siblings.some((s) => s.uniqueKey === content.uniqueKey)) throw rules.duplicate();
    const clash = firstNetworkClash(rules.networks(content.properties), siblings.map((s) => ({ id: s.id, networks: rules.networks(s.properties) })));
    if (clash) throw rules.overlap(clash);
  }

  private async bumpGateway(tx: StoreWriter, gateway: GatewayRecord): Promise<GatewayRecord> {
    const bumped: GatewayRecord = { ...gateway, generation: gateway.generation + 1, status: 'PROVISIONING', statusMessage: null };
    await tx.updateGateway(bumped);
    return bumped;
  }

  private async refusePeerKeyAsGatewayKey(tx: StoreWriter, gatewayId: string, publicKey: string | null) {
    if (publicKey === null) return;
    const peers = await tx.listAllChildren(gatewayId);
    if (peers.some((p) => p.kind === 'peer' && p.uniqueKey === publicKey)) {
      throw unprocessable('properties.privateKey belongs to a peer of this gateway (its public key is a peer\'s).', 'PEER_KEY_IS_GATEWAY_KEY');
    }
  }

  private refuseWhileDestroying(gateway: GatewayRecord) {
    if (gateway.deleting) throw conflict(`The gateway ${gateway.id} is being deleted.`, 'GATEWAY_DESTROYING');
  }

  private newGateway(principal: Principal, rules: GatewayKindRules, id: string, content: ReturnType<GatewayKindRules['content']>, stamp: Stamp): GatewayRecord {
    return {
      id, contractNumber: principal.contractNumber, kind: rules.kind, ...content, status: 'PROVISIONING', statusMessage: null,
      generation: 1, appliedGeneration: 0, deleting: false, created: stamp, modified: stamp,
    };
  }
}

const idInUse = (id: string) => conflict(`The id ${id} is already in use by another resource.`, 'ID_IN_USE');

/**
 * Why an id another resource holds cannot be this one: another contract's is 404, word for word as an
 * id nobody holds (its existence is never revealed); the caller's own of another kind is 409 ID_IN_USE.
 * Undefined when the holder is of the caller's contract and this kind (the resource itself).
 */
function heldIdRefusal(holder: IdHolder, principal: Principal, kind: ResourceKind, label: string, id: string): ApiError | undefined {
  if (holder.contractNumber !== principal.contractNumber) return notFound(label, id);
  return holder.kind === kind ? undefined : idInUse(id);
}

/** Ids are unique across gateways, peers and tunnels of every contract. */
async function refuseHeldId(tx: StoreReader, principal: Principal, kind: ResourceKind, label: string, id: string) {
  const holder = await tx.findIdHolder(id);
  const refusal = holder && heldIdRefusal(holder, principal, kind, label, id);
  if (refusal) throw refusal;
}

/** An insert whose id a concurrent writer took first answers as refuseHeldId would have. */
async function insertUnlessHeld(insert: Promise<void>, principal: Principal, kind: ResourceKind, label: string, id: string) {
  try {
    await insert;
  } catch (error) {
    if (!(error instanceof IdTaken)) throw error;
    throw heldIdRefusal(error.holder, principal, kind, label, id) ?? new ConcurrentChange();
  }
}
