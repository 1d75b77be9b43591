import { Type, type Static, type TSchema } from 'typebox';
import { Formats } from './formats.ts';

export const Uuid = Type.String({ format: Formats.uuid, description: 'A UUID.' });
export const Name = Type.String({ minLength: 1, maxLength: 255 });
export const Description = Type.String({ maxLength: 1024 });
export const IpAddress = Type.String({ format: Formats.ipAddress, description: 'An IPv4 or IPv6 address, without prefix.' });
export const Ipv4Cidr = Type.String({ format: Formats.ipv4Cidr, description: 'An IPv4 address with prefix, e.g. 172.16.0.1/24.' });
export const Ipv6Cidr = Type.String({ format: Formats.ipv6Cidr, description: 'An IPv6 address with prefix.' });
export const Cidr = Type.String({ format: Formats.cidr, description: 'An IPv4 or IPv6 CIDR.' });
export const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const TierValues = ['STANDARD', 'STANDARD_HA', 'ENHANCED', 'ENHANCED_HA', 'PREMIUM', 'PREMIUM_HA'] as const;
export const Tier = Type.Enum(TierValues);
export type Tier = (typeof TierValues)[number];

export const DayValues = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const MaintenanceWindow = Type.Object({
  time: Type.String({ format: Formats.timeOfDay, description: 'Start time, HH:MM:SS (UTC).' }),
  dayOfTheWeek: Type.Enum(DayValues),
});
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

export const Connection = Type.Object({
  datacenterId: Uuid,
  lanId: Type.String({ pattern: '^[0-9]+$', maxLength: 10, description: 'The LAN id, a string of digits.' }),
  ipv4CIDR: Type.Optional(Ipv4Cidr),
  ipv6CIDR: Type.Optional(Ipv6Cidr),
});
export type Connection = Static<typeof Connection>;
export const Connections = Type.Array(Connection, { minItems: 1, maxItems: 10 });

export const ResourceStatusValues = ['PROVISIONING', 'AVAILABLE', 'DESTROYING', 'FAILED'] as const;
export type ResourceStatus = (typeof ResourceStatusValues)[number];

/** Who created and last changed a resource, and when: the metadata fields every Cloud API resource has. */
export const StampFields = {
  createdDate: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  createdByUserId: Type.String(),
  lastModifiedDate: Type.String({ format: 'date-time' }),
  lastModifiedBy: Type.String(),
  lastModifiedByUserId: Type.String(),
};

export const Metadata = Type.Object({
  ...StampFields,
  resourceURN: Type.String(),
  status: Type.Enum(ResourceStatusValues),
  statusMessage: Type.Optional(Type.String({ description: 'Why the resource is FAILED; absent otherwise.' })),
});
export type Metadata = Static<typeof Metadata>;

export const GatewayMetadata = Type.Object({
  ...Metadata.properties,
  publicKey: Type.Optional(Type.String()),
});

/** The body of every create (POST): properties plus ignored metadata. */
export function createBody<P extends TSchema>(properties: P) {
  return Type.Object({ metadata: Type.Optional(Type.Object({})), properties });
}

/** The body of every ensure (PUT): like create, plus an optional id that must equal the path id. */
export function ensureBody<P extends TSchema>(properties: P) {
  return Type.Object({ id: Type.Optional(Uuid), metadata: Type.Optional(Type.Object({})), properties });
}

/** A read resource: all five keys always present. */
export function readResource<M extends TSchema, P extends TSchema>(type: string, metadata: M, properties: P) {
  return Type.Object({
    id: Uuid,
    type: Type.Literal(type),
    href: Type.String({ format: 'uri' }),
    metadata,
    properties,
  });
}

export const Links = Type.Object({
  prev: Type.Optional(Type.String()),
  self: Type.String(),
  next: Type.Optional(Type.String()),
});

export function collection<I extends TSchema>(item: I) {
  return Type.Object({
    id: Type.String(),
    type: Type.Literal('collection'),
    href: Type.String(),
    items: Type.Array(item),
    offset: Type.Integer(),
    limit: Type.Integer(),
    _links: Links,
  });
}

export const ErrorBody = Type.Object({
  httpStatus: Type.Integer(),
  messages: Type.Array(Type.Object({ errorCode: Type.String(), message: Type.String() })),
});

export const PaginationQuery = Type.Object({
  offset: Type.Optional(Type.String({ description: 'First element to include, default 0.' })),
  limit: Type.Optional(Type.String({ description: 'Elements per page, 1-1000, default 100.' })),
});
