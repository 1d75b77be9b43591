import type { GatewayKind } from '../domain/desired-state.ts';
import { badRequest, conflict, unprocessable, type ApiError } from '../domain/errors.ts';
import { MAX_PEERS_PER_GATEWAY, MAX_TUNNELS_PER_GATEWAY } from '../domain/defaults.ts';
import {
  ipsecGatewayProperties, ipsecTunnelProperties, wireguardGatewayProperties, wireguardPeerProperties,
} from '../domain/resource-rules.ts';
import type { NetworkClash } from '../domain/network-overlap.ts';
import { wireguardPublicKey } from '../domain/wireguard-keys.ts';
import type { Connection } from '../schemas/common.ts';
import type { IpsecGatewayInputProperties, IpsecTunnelInputProperties, IpsecTunnelProperties } from '../schemas/ipsec.ts';
import type { WireguardGatewayEnsureProperties, WireguardPeerInputProperties, WireguardPeerProperties } from '../schemas/wireguard.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { ChildKind, ChildRecord, GatewayRecord } from '../store/store.ts';

/** What a write stores for a gateway besides the common metadata. */
export interface GatewayContent {
  properties: Record<string, unknown>;
  secret: string | null;
  publicKey: string | null;
}

export interface ChildContent {
  properties: Record<string, unknown>;
  secret: string | null;
  /** What no two children of one gateway may share (a peer's public key, a tunnel's remote host). */
  uniqueKey: string | null;
}

export interface GatewayKindRules {
  kind: GatewayKind;
  label: string;
  childKind: ChildKind;
  /** Canonical content from validated input; existing is the gateway a PUT replaces. */
  content(id: string, input: unknown, existing: GatewayRecord | undefined, box: SecretBox): GatewayContent;
  /** The LANs the stored properties attach the gateway to. */
  connections(properties: Record<string, unknown>): Connection[];
}

const storedConnections = (properties: Record<string, unknown>) => properties.connections as Connection[];

export interface ChildKindRules {
  kind: ChildKind;
  label: string;
  maxPerGateway: number;
  content(id: string, input: unknown, gateway: GatewayRecord, existing: ChildRecord | undefined, box: SecretBox): ChildContent;
  /** The 409 for a uniqueKey another child of the gateway already has. */
  duplicate(): ApiError;
  /** The remote networks a child routes into its tunnel: no two children of one gateway may overlap. */
  networks(properties: Record<string, unknown>): string[];
  /** The 409 naming the sibling that already holds part of those networks. */
  overlap(clash: NetworkClash): ApiError;
}

const wireguardGateway: GatewayKindRules = {
  kind: 'wireguard',
  label: 'WireGuard gateway',
  childKind: 'peer',
  content(id, input, existing, box) {
    const given = input as WireguardGatewayEnsureProperties;
    const properties = wireguardGatewayProperties(id, given);
    if (given.privateKey !== undefined) {
      return { properties, secret: box.seal(given.privateKey, id), publicKey: wireguardPublicKey(given.privateKey) };
    }
    if (existing === undefined) throw badRequest('properties.privateKey is required.', 'REQUIRED_FIELD');
    return { properties, secret: existing.secret, publicKey: existing.publicKey };
  },
  connections: storedConnections,
};

const ipsecGateway: GatewayKindRules = {
  kind: 'ipsec',
  label: 'IPSec gateway',
  childKind: 'tunnel',
  content: (id, input) => ({
    properties: ipsecGatewayProperties(id, input as IpsecGatewayInputProperties),
    secret: null,
    publicKey: null,
  }),
  connections: storedConnections,
};

const wireguardPeer: ChildKindRules = {
  kind: 'peer',
  label: 'WireGuard peer',
  maxPerGateway: MAX_PEERS_PER_GATEWAY,
  content(_id, input, gateway) {
    const properties = wireguardPeerProperties(input as WireguardPeerInputProperties);
    if (properties.publicKey === gateway.publicKey) {
      throw unprocessable('properties.publicKey must not be the gateway\'s own public key.', 'PEER_KEY_IS_GATEWAY_KEY');
    }
    return { properties, secret: null, uniqueKey: properties.publicKey };
  },
  duplicate: () => conflict('properties.publicKey is already used by another peer of this gateway.', 'DUPLICATE_PUBLIC_KEY'),
  // WireGuard hands an address to one peer only: a second peer with it would silently take it over.
  networks: (properties) => (properties as unknown as WireguardPeerProperties).allowedIPs,
  overlap: (c) => conflict(`properties.allowedIPs ${c.mine} overlaps ${c.theirs}, which the peer ${c.siblingId} of this gateway already has.`, 'ALLOWED_IPS_OVERLAP'),
};

const ipsecTunnel: ChildKindRules = {
  kind: 'tunnel',
  label: 'IPSec tunnel',
  maxPerGateway: MAX_TUNNELS_PER_GATEWAY,
  content(id, input, _gateway, existing, box) {
    const given = input as IpsecTunnelInputProperties;
    const properties = ipsecTunnelProperties(given);
    const psk = given.auth?.psk?.key;
    // IKE tells a gateway's tunnels apart by the remote address only (PSK identities are the
    // addresses), so two tunnels of one gateway to one host could never both be established.
    const uniqueKey = properties.remoteHost.toLowerCase();
    if (psk !== undefined) return { properties, secret: box.seal(psk, id), uniqueKey };
    if (existing === undefined) throw badRequest('properties.auth.psk.key is required.', 'REQUIRED_FIELD');
    return { properties, secret: existing.secret, uniqueKey };
  },
  duplicate: () => conflict('properties.remoteHost already has a tunnel of this gateway; put all its networks into that tunnel\'s cloudNetworkCIDRs/peerNetworkCIDRs.', 'DUPLICATE_REMOTE_HOST'),
  // Two tunnels claiming one remote network: the gateway could route its packets into only one of them.
  networks: (properties) => (properties as unknown as IpsecTunnelProperties).peerNetworkCIDRs,
  overlap: (c) => conflict(`properties.peerNetworkCIDRs ${c.mine} overlaps ${c.theirs}, which the tunnel ${c.siblingId} of this gateway already has.`, 'PEER_NETWORKS_OVERLAP'),
};

export const gatewayKinds: Record<GatewayKind, GatewayKindRules> = { wireguard: wireguardGateway, ipsec: ipsecGateway };
export const childKinds: Record<ChildKind, ChildKindRules> = { peer: wireguardPeer, tunnel: ipsecTunnel };
