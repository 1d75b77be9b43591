import type { Connection } from '../schemas/common.ts';
import type { IpsecGatewayInputProperties, IpsecGatewayProperties, IpsecTunnelInputProperties, IpsecTunnelProperties, Security } from '../schemas/ipsec.ts';
import type {
  WireguardGatewayEnsureProperties, WireguardGatewayProperties, WireguardPeerInputProperties, WireguardPeerProperties,
} from '../schemas/wireguard.ts';
import { assignedMaintenanceWindow, DEFAULT_ESP, DEFAULT_IKE, DEFAULT_LISTEN_PORT, DEFAULT_PEER_PORT, DEFAULT_TIER } from './defaults.ts';
import { badRequest, unprocessable } from './errors.ts';

/** Rules the schema cannot say: each connection has an IPv4 or IPv6 CIDR, and all share one datacenter. */
export function checkConnections(connections: Connection[]): void {
  connections.forEach((c, i) => {
    if (c.ipv4CIDR === undefined && c.ipv6CIDR === undefined) {
      throw badRequest(`properties.connections[${i}].ipv4CIDR is required unless ipv6CIDR is given.`, 'REQUIRED_FIELD');
    }
  });
  const datacenters = new Set(connections.map((c) => c.datacenterId.toLowerCase()));
  if (datacenters.size > 1) {
    throw unprocessable('properties.connections must all be in the same datacenter (one datacenterId).', 'CONNECTIONS_IN_DIFFERENT_DATACENTERS');
  }
}

/** The stored (and returned) WireGuard gateway properties, with defaults filled in; the key is kept apart. */
export function wireguardGatewayProperties(id: string, input: WireguardGatewayEnsureProperties): WireguardGatewayProperties {
  if (input.interfaceIPv4CIDR === undefined && input.interfaceIPv6CIDR === undefined) {
    throw badRequest('properties.interfaceIPv4CIDR or properties.interfaceIPv6CIDR is required.', 'REQUIRED_FIELD');
  }
  checkConnections(input.connections);
  const { privateKey: _secret, ...rest } = input;
  return {
    ...rest,
    listenPort: input.listenPort ?? DEFAULT_LISTEN_PORT,
    tier: input.tier ?? DEFAULT_TIER,
    maintenanceWindow: input.maintenanceWindow ?? assignedMaintenanceWindow(id),
  };
}

export function ipsecGatewayProperties(id: string, input: IpsecGatewayInputProperties): IpsecGatewayProperties {
  checkConnections(input.connections);
  return {
    ...input,
    version: input.version ?? 'IKEv2',
    tier: input.tier ?? DEFAULT_TIER,
    maintenanceWindow: input.maintenanceWindow ?? assignedMaintenanceWindow(id),
  };
}

export function wireguardPeerProperties(input: WireguardPeerInputProperties): WireguardPeerProperties {
  const { endpoint, ...rest } = input;
  const allowedIPs = [...new Set(input.allowedIPs)];
  return endpoint === undefined
    ? { ...rest, allowedIPs }
    : { ...rest, allowedIPs, endpoint: { host: endpoint.host, port: endpoint.port ?? DEFAULT_PEER_PORT } };
}

const withDefaults = (given: Partial<Security> | undefined, defaults: Security): Security => ({ ...defaults, ...given });

/** The returned tunnel properties (no PSK) with the IKE/ESP defaults filled in. */
export function ipsecTunnelProperties(input: IpsecTunnelInputProperties): IpsecTunnelProperties {
  const { auth: _auth, ike, esp, ...rest } = input;
  return {
    ...rest,
    auth: { method: 'PSK' },
    ike: withDefaults(ike, DEFAULT_IKE),
    esp: withDefaults(esp, DEFAULT_ESP),
  };
}
