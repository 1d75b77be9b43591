import { Type } from 'typebox';
import { collection, StampFields, Uuid } from './common.ts';

/**
 * Datacenters and LANs in the Cloud API v6 shapes (read only), as the official SDKs deserialize
 * them. The gateway host's interface a LAN is bound to is the operator's: no shape here carries it.
 */
const ElementMetadata = Type.Object({
  etag: Type.String(),
  ...StampFields,
  state: Type.Literal('AVAILABLE'),
});

export const DatacenterRead = Type.Object({
  id: Uuid,
  type: Type.Literal('datacenter'),
  href: Type.String(),
  metadata: ElementMetadata,
  properties: Type.Object({
    name: Type.String(),
    description: Type.Optional(Type.String()),
    location: Type.String({ description: 'The location, e.g. de/fra.' }),
    version: Type.Integer(),
    features: Type.Array(Type.String()),
    secAuthProtection: Type.Boolean(),
    cpuArchitecture: Type.Array(Type.Object({})),
    ipv6CidrBlock: Type.Null(),
  }),
});

export const LanRead = Type.Object({
  id: Type.String({ pattern: '^[0-9]+$', description: 'The LAN id, a string of digits.' }),
  type: Type.Literal('lan'),
  href: Type.String(),
  metadata: ElementMetadata,
  properties: Type.Object({
    name: Type.String(),
    public: Type.Boolean(),
    ipFailover: Type.Array(Type.Object({})),
    ipv6CidrBlock: Type.Null(),
  }),
});

export const DatacenterCollection = collection(DatacenterRead);
export const LanCollection = collection(LanRead);
