import type { Security } from '../schemas/ipsec.ts';

/** What the data plane must make true for one gateway: validated values and decrypted secrets only. */
export type DesiredGateway = DesiredWireguardGateway | DesiredIpsecGateway;
export type GatewayKind = DesiredGateway['kind'];

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
  tunnels: DesiredIpsecTunnel[];
}
