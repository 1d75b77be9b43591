import type { Security } from '../schemas/ipsec.ts';

/** What the data plane must make true for one gateway: validated values and decrypted secrets only. */
export type DesiredGateway = DesiredWireguardGateway | DesiredIpsecGateway;
export type GatewayKind = DesiredGateway['kind'];

/** One LAN a gateway is attached to: its addresses there and the host interface that is that LAN. */
export interface DesiredConnection {
  datacenterId: string;
  lanId: string;
  ipv4CIDR?: string;
  ipv6CIDR?: string;
  /** The host interface the operator bound this LAN to; absent while the LAN is bound to none. */
  hostInterface?: string;
}

export interface DesiredWireguardPeer {
  id: string;
  publicKey: string;
  allowedIPs: string[];
  endpoint?: { host: string; port: number };
}

export interface DesiredWireguardGateway {
  kind: 'wireguard';
  id: string;
  generation: number;
  gatewayIP: string;
  listenPort: number;
  privateKey: string;
  interfaceIPv4CIDR?: string;
  interfaceIPv6CIDR?: string;
  connections: DesiredConnection[];
  peers: DesiredWireguardPeer[];
}

export interface DesiredIpsecTunnel {
  id: string;
  remoteHost: string;
  psk: string;
  ike: Security;
  esp: Security;
  cloudNetworkCIDRs: string[];
  peerNetworkCIDRs: string[];
}

export interface DesiredIpsecGateway {
  kind: 'ipsec';
  id: string;
  generation: number;
  gatewayIP: string;
  connections: DesiredConnection[];
  tunnels: DesiredIpsecTunnel[];
}
