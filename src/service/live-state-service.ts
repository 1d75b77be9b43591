import type { GatewayLiveState, GatewayRef, LiveStateSource } from '../agent/driver.ts';
import type { LiveStateEntry, ReportedLiveState } from '../agent/live-state-report.ts';
import { badRequest } from '../domain/errors.ts';
import { isSilent } from '../domain/silent-host.ts';
import type { HostRecord, HostStore } from '../store/host-store.ts';
import type { LiveStateRefusal, LiveStateStore, StoredLiveState } from '../store/live-state-store.ts';

const KIND_FIELDS = {
  wireguard: { required: ['interfaceName', 'present', 'listenPort', 'peers'], foreign: ['charonRunning', 'tunnels'] },
  ipsec: { required: ['charonRunning', 'tunnels'], foreign: ['interfaceName', 'present', 'listenPort', 'peers'] },
} as const;

/** The fields of the entry's kind are there, the other kind's are not, and no gateway comes twice; else a 400 naming the field. */
export function validateLiveStateEntries(entries: LiveStateEntry[]): void {
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const at = `gateways[${i}]`;
    const id = entry.id.toLowerCase();
    if (seen.has(id)) throw badRequest(`${at}.id: gateway ${id} comes more than once in the request.`);
    seen.add(id);
    if (entry.state.kind !== entry.kind) throw badRequest(`${at}.state.kind must be ${entry.kind}, the entry's kind.`);
    const state = entry.state as unknown as Record<string, unknown>;
    for (const field of KIND_FIELDS[entry.kind].required) {
      if (state[field] === undefined) throw badRequest(`${at}.state.${field} is required for a ${entry.kind} gateway.`);
    }
    for (const field of KIND_FIELDS[entry.kind].foreign) {
      if (state[field] !== undefined) throw badRequest(`${at}.state.${field} is not a field of a ${entry.kind} gateway's state.`);
    }
  });
}

export interface LiveStateServiceDeps {
  liveStates: LiveStateStore;
  hosts: HostStore;
  now?: () => Date;
}

/** PUT /agent/v1/live-state: stores what an agent observed of the gateways placed on its host. */
export class LiveStateService {
  constructor(private readonly deps: LiveStateServiceDeps) {}

  async receive(host: HostRecord, entries: LiveStateEntry[]): Promise<{ accepted: number; gateways: Array<{ id: string; outcome: LiveStateRefusal }> }> {
    validateLiveStateEntries(entries);
    const now = (this.deps.now?.() ?? new Date()).toISOString();
    await this.deps.hosts.touchHost(host.id, now);
    const writes = entries.map((e) => ({ gatewayId: e.id.toLowerCase(), kind: e.kind, state: e.state, observedAt: e.observedAt }));
    const refused = await this.deps.liveStates.putLiveStates(host.id, writes, now);
    return { accepted: writes.length - refused.size, gateways: [...refused].map(([id, outcome]) => ({ id, outcome })) };
  }
}

/** What /status shows of a gateway in a fleet: the last state its host sent, when, and whether the host still calls in. */
export interface ReportedView {
  /** Null when nothing was received yet from the host that runs it now. */
  live: GatewayLiveState | null;
  observedAt: string | null;
  /** Null when no host runs the gateway. */
  hostConnected: boolean | null;
  /** Why the state may not be current; absent when it is as fresh as the agent's interval makes it. */
  note?: string;
}

/** A source whose state comes from reports, so it can say how old it is. */
export interface ReportedLiveStateSource extends LiveStateSource {
  reported(ref: GatewayRef): Promise<ReportedView>;
}

/** Live state as the stored reports have it: a fleet's /status and the live gauges on /metrics (`vpngw serve --driver none`). */
export class StoredLiveStateSource implements ReportedLiveStateSource {
  constructor(private readonly deps: { liveStates: LiveStateStore; heartbeatTimeoutMs: number; now?: () => Date }) {}

  /** The stored state; rejects when there is none (the gauges leave such a gateway out). */
  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    const { live } = await this.reported(ref);
    if (!live) throw new Error(`no live state received for gateway ${ref.id}`);
    return live;
  }

  /** Every gateway's stored state with its peers' ids by public key, for /metrics: two queries however many gateways. */
  async liveStates(): Promise<Map<string, { live: GatewayLiveState; peerIds: Map<string, string> }>> {
    const [stored, peerIds] = await Promise.all([this.deps.liveStates.listLiveStates(), this.deps.liveStates.listPeerIds()]);
    return new Map([...stored].map(([id, s]) => [id, { live: asLiveState(s), peerIds: peerIds.get(id) ?? new Map<string, string>() }]));
  }

  async reported(ref: GatewayRef): Promise<ReportedView> {
    const view = await this.deps.liveStates.liveStateOf(ref.id);
    if (!view.placedOnHost || view.hostLastContact === null) {
      return { live: null, observedAt: null, hostConnected: null, note: 'No gateway host runs this gateway (see its statusMessage).' };
    }
    const stored = view.stored?.kind === ref.kind ? view.stored : null;
    const connected = !isSilent(view.hostLastContact, this.deps.now?.() ?? new Date(), this.deps.heartbeatTimeoutMs);
    const note = !connected
      ? `The gateway host has not been heard from since ${view.hostLastContact}; this is the state it last sent.`
      : stored ? undefined : 'The gateway host has sent no live state for this gateway yet.';
    return { live: stored ? asLiveState(stored) : null, observedAt: stored?.observedAt ?? null, hostConnected: connected, ...(note ? { note } : {}) };
  }
}

/** The stored JSON as the driver's shape; the namespace is the agent host's own and is not sent. */
function asLiveState(stored: StoredLiveState): GatewayLiveState {
  return { ...(stored.state as ReportedLiveState), namespace: '' } as GatewayLiveState;
}
