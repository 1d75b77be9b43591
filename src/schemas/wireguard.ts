import { Type, type Static } from 'typebox';
import { Formats } from './formats.ts';
import {
  collection, Connections, createBody, Description, ensureBody, GatewayMetadata, Ipv4Cidr, Ipv6Cidr, IpAddress,
  MaintenanceWindow, Metadata, Name, Port, readResource, Tier, Cidr,
} from './common.ts';

const WireguardKey = Type.String({ format: Formats.wireguardKey, description: 'Base64 of a 32-byte Curve25519 key.' });

const gatewayFields = {
  name: Name,
  description: Type.Optional(Description),
  gatewayIP: IpAddress,
  interfaceIPv4CIDR: Type.Optional(Ipv4Cidr),
  interfaceIPv6CIDR: Type.Optional(Ipv6Cidr),
  connections: Connections,
  listenPort: Type.Optional(Port),
  tier: Type.Optional(Tier),
  maintenanceWindow: Type.Optional(MaintenanceWindow),
};

export const WireguardGatewayCreateProperties = Type.Object({
  ...gatewayFields,
  privateKey: { ...WireguardKey, description: 'Write-only: never returned.', writeOnly: true },
});
export type WireguardGatewayCreateProperties = Static<typeof WireguardGatewayCreateProperties>;

/** On ensure the private key may be left out when the gateway exists: the stored key is kept. */
export const WireguardGatewayEnsureProperties = Type.Object({
  ...gatewayFields,
  privateKey: Type.Optional({ ...WireguardKey, description: 'Write-only; may be omitted to keep the stored key.', writeOnly: true }),
});
export type WireguardGatewayEnsureProperties = Static<typeof WireguardGatewayEnsureProperties>;

export const WireguardGatewayProperties = Type.Object({
  ...gatewayFields,
  listenPort: Port,
  tier: Tier,
  maintenanceWindow: MaintenanceWindow,
});
export type WireguardGatewayProperties = Static<typeof WireguardGatewayProperties>;

export const WireguardGatewayCreate = createBody(WireguardGatewayCreateProperties);
export const WireguardGatewayEnsure = ensureBody(WireguardGatewayEnsureProperties);
export const WireguardGatewayRead = readResource('wireguardgateway', GatewayMetadata, WireguardGatewayProperties);
export const WireguardGatewayCollection = collection(WireguardGatewayRead);

export const WireguardEndpoint = Type.Object({
  host: Type.String({ format: Formats.hostOrIp, maxLength: 253, description: 'Hostname, IPv4 or IPv6 address.' }),
  port: Type.Optional(Port),
});

const peerFields = {
  name: Name,
  description: Type.Optional(Description),
  endpoint: Type.Optional(WireguardEndpoint),
  allowedIPs: Type.Array(Cidr, { minItems: 1, maxItems: 1000 }),
  publicKey: WireguardKey,
};

export const WireguardPeerInputProperties = Type.Object(peerFields);
export type WireguardPeerInputProperties = Static<typeof WireguardPeerInputProperties>;

export const WireguardPeerProperties = Type.Object({
  ...peerFields,
  endpoint: Type.Optional(Type.Object({ host: WireguardEndpoint.properties.host, port: Port })),
});
export type WireguardPeerProperties = Static<typeof WireguardPeerProperties>;

export const WireguardPeerCreate = createBody(WireguardPeerInputProperties);
export const WireguardPeerEnsure = ensureBody(WireguardPeerInputProperties);
export const WireguardPeerRead = readResource('wireguardpeer', Metadata, WireguardPeerProperties);
export const WireguardPeerCollection = collection(WireguardPeerRead);
