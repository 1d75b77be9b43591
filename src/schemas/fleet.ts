import { Type } from 'typebox';
import { Uuid } from './common.ts';

/**
 * The fleet's wire shapes: enrollment tokens and hosts (installation administrators, /fleet/v1) and
 * the agent's enrollment, inventory, desired-state watch and reports (/agent/v1). Not IONOS Cloud API
 * shapes: gateway hosts are this implementation's own.
 */

const MAX_ENROLLMENT_TTL_SECONDS = 24 * 3600;
export const DEFAULT_ENROLLMENT_TTL_SECONDS = 15 * 60;

export const EnrollmentTokenCreate = Type.Object({
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: MAX_ENROLLMENT_TTL_SECONDS, description: 'Lifetime; default 900 (15 min).' })),
});

export const EnrollmentTokenCreated = Type.Object({
  id: Uuid,
  token: Type.String({ description: 'Shown once; single use.' }),
  expiresAt: Type.String(),
});

const HostName = Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Version = Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.+~-]*$' });

export const EnrollRequest = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
  name: HostName,
  version: Version,
});

export const EnrollResponse = Type.Object({
  hostId: Uuid,
  credential: Type.String({ description: 'The agent\'s credential: Authorization: Bearer <credential>. Shown once.' }),
});

export const Inventory = Type.Object({
  addresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1024, description: 'Addresses on the host: candidate gatewayIPs.' }),
  delegatedBlocks: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 256, description: 'CIDR blocks whose addresses the agent may assign.' }),
  lans: Type.Array(Type.Object({
    datacenterId: Uuid,
    lanId: Type.String({ pattern: '^[0-9]{1,10}$' }),
    interface: Type.String({ minLength: 1, maxLength: 15 }),
  }), { maxItems: 1024 }),
  version: Version,
});

export const InventoryAccepted = Type.Object({ hostId: Uuid, revision: Type.Integer() });

export const DesiredQuery = Type.Object({
  since: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'The revision of the last answer; absent: a full snapshot.' })),
  wait: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$', description: 'Seconds to wait for a change, 0-60; default 0.' })),
});

export const DesiredResponse = Type.Object({
  revision: Type.Integer({ description: 'Pass as since in the next request.' }),
  full: Type.Boolean({ description: 'True: gateways is everything placed on the host; anything else it runs is to be removed.' }),
  gateways: Type.Array(Type.Unknown({ description: 'The desired state of a gateway placed on the host, secrets included.' })),
  removed: Type.Array(Uuid, { description: 'Gateways no longer placed on the host.' }),
});

export const ReportRequest = Type.Object({
  gateways: Type.Array(Type.Object({
    id: Uuid,
    generation: Type.Integer({ minimum: 0 }),
    status: Type.Union([Type.Literal('AVAILABLE'), Type.Literal('FAILED')]),
    message: Type.Optional(Type.String({ maxLength: 1000 })),
  }), { maxItems: 1000 }),
});

export const ReportResponse = Type.Object({
  gateways: Type.Array(Type.Object({
    id: Uuid,
    outcome: Type.Union([Type.Literal('RECORDED'), Type.Literal('STALE'), Type.Literal('NOT_PLACED_HERE')]),
  })),
});

export const HostRead = Type.Object({
  id: Uuid,
  name: Type.String(),
  state: Type.Union([Type.Literal('ACTIVE'), Type.Literal('DRAINING')]),
  version: Type.String(),
  createdDate: Type.String(),
  lastContact: Type.String(),
  connected: Type.Boolean({ description: 'False once the host has not called in for VPNGW_HOST_HEARTBEAT_TIMEOUT_MS: silent since lastContact.' }),
  addressCount: Type.Integer(),
  delegatedBlockCount: Type.Integer(),
  gatewayCount: Type.Integer(),
});

export const HostCollection = Type.Object({ items: Type.Array(HostRead) });

export const UnplacedCollection = Type.Object({
  items: Type.Array(Type.Object({
    id: Uuid,
    contractNumber: Type.Integer(),
    gatewayIP: Type.String(),
    message: Type.String({ description: 'Why no host runs it, e.g. no gateway host holds 203.0.113.7.' }),
  })),
});

const ShortString = (maxLength: number) => Type.String({ maxLength });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Counter = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const IsoInstant = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$', description: 'ISO 8601, UTC, with milliseconds (Date.toISOString()).' });

const LanLive = Type.Object({
  datacenterId: Uuid,
  lanId: Type.String({ pattern: '^[0-9]{1,10}$' }),
  interfaceName: Type.String({ minLength: 1, maxLength: 15 }),
  present: Type.Boolean(),
  addresses: Type.Array(ShortString(64), { maxItems: 16 }),
}, { additionalProperties: false });

/**
 * A gateway's live state as the driver observed it (GatewayLiveState without the namespace). One
 * object for both kinds so that a bad field is named plainly: the fields of the other kind are absent,
 * which the service checks against `kind`.
 */
const LiveStateBody = Type.Object({
  kind: Type.Union([Type.Literal('wireguard'), Type.Literal('ipsec')]),
  lans: Type.Array(LanLive, { maxItems: 10 }),
  interfaceName: Type.Optional(Type.String({ minLength: 1, maxLength: 15 })),
  present: Type.Optional(Type.Boolean()),
  listenPort: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Null()])),
  peers: Type.Optional(Type.Array(Type.Object({
    publicKey: Type.String({ minLength: 1, maxLength: 64 }),
    endpoint: Nullable(ShortString(64)),
    latestHandshake: Nullable(IsoInstant),
    transferRxBytes: Counter,
    transferTxBytes: Counter,
  }, { additionalProperties: false }), { maxItems: 20 })),
  charonRunning: Type.Optional(Type.Boolean()),
  tunnels: Type.Optional(Type.Array(Type.Object({
    tunnelId: Uuid,
    ikeState: Nullable(ShortString(32)),
    ikeEstablished: Type.Boolean(),
    childEstablished: Type.Boolean(),
    bytesIn: Counter,
    bytesOut: Counter,
  }, { additionalProperties: false }), { maxItems: 20 })),
}, { additionalProperties: false });

export const LiveStateRequest = Type.Object({
  gateways: Type.Array(Type.Object({
    id: Uuid,
    kind: Type.Union([Type.Literal('wireguard'), Type.Literal('ipsec')]),
    observedAt: IsoInstant,
    state: LiveStateBody,
  }), { maxItems: 100, description: 'The gateways whose live state changed since the last request that succeeded.' }),
});

export const LiveStateResponse = Type.Object({
  accepted: Type.Integer({ description: 'Entries stored.' }),
  gateways: Type.Array(Type.Object({
    id: Uuid,
    outcome: Type.Union([Type.Literal('NOT_PLACED_HERE'), Type.Literal('STALE')]),
  }), { description: 'Entries not stored, and why: the gateway is not placed on this host (or not of that kind), or a later observation is stored.' }),
});
