import type { TSchema } from 'typebox';
import type { GatewayKind } from '../../domain/desired-state.ts';
import { canonicalPeerProperties, canonicalTunnelProperties } from '../../domain/normalize-input.ts';
import * as ipsec from '../../schemas/ipsec.ts';
import * as wireguard from '../../schemas/wireguard.ts';

interface ResourceSchemas {
  create: TSchema;
  ensure: TSchema;
  read: TSchema;
  collection: TSchema;
}

/** How one of the four VPN resources appears on the wire. */
export interface ResourceSpec {
  type: string;
  /** Operation id prefix as in the IONOS API: wireguardgateways, wireguardgatewaysPeers, ... */
  operationPrefix: string;
  tag: string;
  schemas: ResourceSchemas;
  /** Rewrites accepted input variants into the canonical properties before validation. */
  canonicalProperties?: (properties: unknown) => unknown;
}

export interface GatewaySpec extends ResourceSpec {
  kind: GatewayKind;
  collection: string;
  child: ResourceSpec & { segment: string; idParam: string };
}

export const vpnResources: GatewaySpec[] = [
  {
    kind: 'wireguard',
    type: 'wireguardgateway',
    collection: 'wireguardgateways',
    operationPrefix: 'wireguardgateways',
    tag: 'WireGuard Gateways',
    schemas: {
      create: wireguard.WireguardGatewayCreate,
      ensure: wireguard.WireguardGatewayEnsure,
      read: wireguard.WireguardGatewayRead,
      collection: wireguard.WireguardGatewayCollection,
    },
    child: {
      type: 'wireguardpeer',
      segment: 'peers',
      idParam: 'peerId',
      operationPrefix: 'wireguardgatewaysPeers',
      tag: 'WireGuard Peers',
      schemas: {
        create: wireguard.WireguardPeerCreate,
        ensure: wireguard.WireguardPeerEnsure,
        read: wireguard.WireguardPeerRead,
        collection: wireguard.WireguardPeerCollection,
      },
      canonicalProperties: canonicalPeerProperties,
    },
  },
  {
    kind: 'ipsec',
    type: 'ipsecgateway',
    collection: 'ipsecgateways',
    operationPrefix: 'ipsecgateways',
    tag: 'IPSec Gateways',
    schemas: {
      create: ipsec.IpsecGatewayCreate,
      ensure: ipsec.IpsecGatewayEnsure,
      read: ipsec.IpsecGatewayRead,
      collection: ipsec.IpsecGatewayCollection,
    },
    child: {
      type: 'ipsectunnel',
      segment: 'tunnels',
      idParam: 'tunnelId',
      operationPrefix: 'ipsecgatewaysTunnels',
      tag: 'IPSec Tunnels',
      schemas: {
        create: ipsec.IpsecTunnelCreate,
        ensure: ipsec.IpsecTunnelEnsure,
        read: ipsec.IpsecTunnelRead,
        collection: ipsec.IpsecTunnelCollection,
      },
      canonicalProperties: canonicalTunnelProperties,
    },
  },
];
