// The API's shapes, taken from the types generated out of openapi.json (npm run console:types).
import type { operations } from './api-types.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<O> = O extends { responses: infer R } ? Json<R[keyof R & (200 | 201 | 202)]> : never;
type Body<O> = O extends { requestBody: infer B } ? Json<B> : never;

export type ApiErrorBody = Json<operations['wireguardgatewaysGet']['responses'][401]>;
export type WireguardGateway = Ok<operations['wireguardgatewaysFindById']>;
export type WireguardGatewayCreate = Body<operations['wireguardgatewaysPost']>;
export type WireguardGatewayList = Ok<operations['wireguardgatewaysGet']>;
export type WireguardPeer = Ok<operations['wireguardgatewaysPeersFindById']>;
export type WireguardPeerCreate = Body<operations['wireguardgatewaysPeersPost']>;
export type WireguardPeerList = Ok<operations['wireguardgatewaysPeersGet']>;
export type IpsecGateway = Ok<operations['ipsecgatewaysFindById']>;
export type IpsecGatewayCreate = Body<operations['ipsecgatewaysPost']>;
export type IpsecGatewayList = Ok<operations['ipsecgatewaysGet']>;
export type IpsecTunnel = Ok<operations['ipsecgatewaysTunnelsFindById']>;
export type IpsecTunnelCreate = Body<operations['ipsecgatewaysTunnelsPost']>;
export type IpsecTunnelList = Ok<operations['ipsecgatewaysTunnelsGet']>;
export type Security = NonNullable<IpsecTunnelCreate['properties']['ike']>;
export type Connection = WireguardGateway['properties']['connections'][number];
export type DatacenterList = Ok<operations['datacentersGet']>;
export type UserList = Ok<operations['umUsersGet']>;
export type User = Ok<operations['umUsersFindById']>;
export type UserCreate = Body<operations['umUsersPost']>;
export type GroupList = Ok<operations['umGroupsGet']>;
export type Group = Ok<operations['umGroupsFindById']>;
export type GroupCreate = Body<operations['umGroupsPost']>;
export type TokenList = Ok<operations['tokensGet']>;
export type AuditList = Ok<operations['auditRecordsGet']>;
export type AuditQuery = NonNullable<operations['auditRecordsGet']['parameters']['query']>;
export type GatewayStatus = WireguardGateway['metadata']['status'];

/**
 * GET /{kind}gateways/{id}/status: live sessions, an extension kept out of the OpenAPI document. On one box
 * observedAt is now and hostConnected true; in a fleet it is what the gateway host's agent last sent: the
 * observed fields are null until its first send, hostConnected false once the host is silent, null when no
 * host runs the gateway, and note says why the state may not be current.
 */
export interface LiveFreshness {
  observedAt: string | null;
  hostConnected: boolean | null;
  note?: string;
}
export interface WireguardLive {
  properties: LiveFreshness & {
    interfacePresent: boolean | null;
    listenPort: number | null;
    peers: Array<{ id: string; configured: boolean | null; endpoint: string | null; latestHandshake: string | null; transferRxBytes: number | null; transferTxBytes: number | null }>;
  };
}
export interface IpsecLive {
  properties: LiveFreshness & {
    charonRunning: boolean | null;
    tunnels: Array<{ id: string; ikeState: string | null; ikeEstablished: boolean | null; childEstablished: boolean | null; bytesIn: number | null; bytesOut: number | null }>;
  };
}

export const MAX_CHILDREN = 20;
