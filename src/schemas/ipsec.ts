import { Type, type Static } from 'typebox';
import { Formats } from './formats.ts';
import {
  collection, Connections, createBody, Description, ensureBody, IpAddress, MaintenanceWindow, Metadata, Name,
  readResource, Tier, Cidr,
} from './common.ts';

export const DiffieHellmanGroupValues = [
  '15-MODP3072', '16-MODP4096', '19-ECP256', '20-ECP384', '21-ECP521', '28-ECP256BP', '29-ECP384BP', '30-ECP512BP',
] as const;
export const EncryptionAlgorithmValues = [
  'AES128-CTR', 'AES256-CTR', 'AES128-GCM-16', 'AES256-GCM-16', 'AES128-GCM-12', 'AES256-GCM-12',
  'AES128-CCM-12', 'AES256-CCM-12', 'AES128', 'AES256',
] as const;
export const IntegrityAlgorithmValues = ['SHA256', 'SHA384', 'SHA512', 'AES-XCBC'] as const;
export type DiffieHellmanGroup = (typeof DiffieHellmanGroupValues)[number];
export type EncryptionAlgorithm = (typeof EncryptionAlgorithmValues)[number];
export type IntegrityAlgorithm = (typeof IntegrityAlgorithmValues)[number];

const ipsecGatewayFields = {
  name: Name,
  description: Type.Optional(Description),
  gatewayIP: IpAddress,
  connections: Connections,
  version: Type.Optional(Type.Literal('IKEv2')),
  tier: Type.Optional(Tier),
  maintenanceWindow: Type.Optional(MaintenanceWindow),
};

export const IpsecGatewayInputProperties = Type.Object(ipsecGatewayFields);
export type IpsecGatewayInputProperties = Static<typeof IpsecGatewayInputProperties>;
export const IpsecGatewayProperties = Type.Object({
  ...ipsecGatewayFields,
  version: Type.Literal('IKEv2'),
  tier: Tier,
  maintenanceWindow: MaintenanceWindow,
});
export type IpsecGatewayProperties = Static<typeof IpsecGatewayProperties>;

export const IpsecGatewayCreate = createBody(IpsecGatewayInputProperties);
export const IpsecGatewayEnsure = ensureBody(IpsecGatewayInputProperties);
export const IpsecGatewayRead = readResource('ipsecgateway', Metadata, IpsecGatewayProperties);
export const IpsecGatewayCollection = collection(IpsecGatewayRead);

const securityFields = {
  diffieHellmanGroup: Type.Enum(DiffieHellmanGroupValues),
  encryptionAlgorithm: Type.Enum(EncryptionAlgorithmValues),
  integrityAlgorithm: { ...Type.Enum(IntegrityAlgorithmValues), description: 'Ignored for the AEAD ciphers (GCM, CCM).' },
  lifetime: Type.Integer({ minimum: 3600, maximum: 86400, description: 'Seconds.' }),
};
export const SecurityInput = Type.Partial(Type.Object(securityFields));
export const Security = Type.Object(securityFields);
export type Security = Static<typeof Security>;

const PskKey = Type.String({ minLength: 8, maxLength: 255, writeOnly: true, description: 'Write-only: never returned.' });

const tunnelFields = {
  name: Name,
  description: Type.Optional(Description),
  remoteHost: Type.String({ format: Formats.ipv4OrFqdn, maxLength: 253, description: 'IPv4 address or fully qualified domain name.' }),
  cloudNetworkCIDRs: Type.Array(Cidr, { minItems: 1, maxItems: 20 }),
  peerNetworkCIDRs: Type.Array(Cidr, { minItems: 1, maxItems: 20 }),
};

export const IpsecTunnelInputProperties = Type.Object({
  ...tunnelFields,
  auth: Type.Optional(Type.Object({
    method: Type.Optional(Type.Literal('PSK')),
    psk: Type.Optional(Type.Object({ key: Type.Optional(PskKey) })),
  }, { description: 'Required with psk.key on create; on a PUT that replaces, an absent key keeps the stored one.' })),
  ike: Type.Optional(SecurityInput),
  esp: Type.Optional(SecurityInput),
});
export type IpsecTunnelInputProperties = Static<typeof IpsecTunnelInputProperties>;

export const IpsecTunnelProperties = Type.Object({
  ...tunnelFields,
  auth: Type.Object({ method: Type.Literal('PSK') }),
  ike: Security,
  esp: Security,
});
export type IpsecTunnelProperties = Static<typeof IpsecTunnelProperties>;

export const IpsecTunnelCreate = createBody(IpsecTunnelInputProperties);
export const IpsecTunnelEnsure = ensureBody(IpsecTunnelInputProperties);
export const IpsecTunnelRead = readResource('ipsectunnel', Metadata, IpsecTunnelProperties);
export const IpsecTunnelCollection = collection(IpsecTunnelRead);
