import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayLiveState, LiveStateSource } from '../../agent/driver.ts';
import type { GatewayKind } from '../../domain/desired-state.ts';
import { MAX_LIMIT } from '../../domain/pagination.ts';
import type { ReportedLiveStateSource, ReportedView } from '../../service/live-state-service.ts';
import type { VpnService } from '../../service/vpn-service.ts';
import type { ChildRecord } from '../../store/store.ts';
import { sendError } from '../error-handler.ts';
import { pathId, principalOf } from './request-helpers.ts';

export interface LiveStatusDeps {
  vpn: VpnService;
  /** The data plane's live view, or in a fleet the hosts' reports; absent with a driver that applies nothing (files). */
  liveState?: LiveStateSource | ReportedLiveStateSource;
}

const COLLECTIONS: Record<GatewayKind, string> = { wireguard: 'wireguardgateways', ipsec: 'ipsecgateways' };

async function allChildren(deps: LiveStatusDeps, request: FastifyRequest, kind: GatewayKind, gatewayId: string): Promise<ChildRecord[]> {
  const { listing } = await deps.vpn.listChildren(principalOf(request), kind, gatewayId, { offset: 0, limit: MAX_LIMIT });
  return listing.items;
}

/** Joins what the data plane reports with the API's peers or tunnels, one entry per API child. */
function presentLive(live: GatewayLiveState, children: ChildRecord[]) {
  if (live.kind === 'wireguard') {
    const byKey = new Map(live.peers.map((p) => [p.publicKey, p]));
    const peers = children.map((child) => {
      const session = byKey.get(child.uniqueKey ?? '');
      return { id: child.id, configured: session !== undefined, ...(session ?? { publicKey: child.uniqueKey, endpoint: null, latestHandshake: null, transferRxBytes: 0, transferTxBytes: 0 }) };
    });
    return { interfaceName: live.interfaceName, interfacePresent: live.present, listenPort: live.listenPort, lans: live.lans, peers };
  }
  const byId = new Map(live.tunnels.map((t) => [t.tunnelId, t]));
  const tunnels = children.map((child) => {
    const { tunnelId: _id, ...state } = byId.get(child.id) ?? { tunnelId: child.id, ikeState: null, ikeEstablished: false, childEstablished: false, bytesIn: 0, bytesOut: 0 };
    return { id: child.id, ...state };
  });
  return { charonRunning: live.charonRunning, lans: live.lans, tunnels };
}

/** Nothing received yet: every field the data plane would tell is null (unknown), each API child listed. */
function presentUnknown(kind: GatewayKind, children: ChildRecord[]) {
  if (kind === 'wireguard') {
    const peers = children.map((child) => ({
      id: child.id, configured: null, publicKey: child.uniqueKey, endpoint: null, latestHandshake: null, transferRxBytes: null, transferTxBytes: null,
    }));
    return { interfaceName: null, interfacePresent: null, listenPort: null, lans: [], peers };
  }
  const tunnels = children.map((child) => ({ id: child.id, ikeState: null, ikeEstablished: null, childEstablished: null, bytesIn: null, bytesOut: null }));
  return { charonRunning: null, lans: [], tunnels };
}

/** Asked of the data plane now, or (in a fleet) as the host's agent last sent it. */
async function liveView(source: LiveStateSource | ReportedLiveStateSource, ref: { kind: GatewayKind; id: string }): Promise<ReportedView> {
  if ('reported' in source) return source.reported(ref);
  return { live: await source.liveState(ref), observedAt: new Date().toISOString(), hostConnected: true };
}

/**
 * GET /wireguardgateways/{id}/status and /ipsecgateways/{id}/status: the live sessions (latest
 * handshake and transfer per peer; IKE and CHILD SA state per tunnel). An extension outside the
 * IONOS contract, so it is kept out of the OpenAPI document the SDKs are checked against. observedAt
 * says when the state was observed (now on one box; in a fleet, when the host's agent observed it,
 * null before it sent any); hostConnected whether the host that runs the gateway still calls in.
 */
export function registerLiveStatusRoutes(app: FastifyInstance, deps: LiveStatusDeps) {
  for (const kind of Object.keys(COLLECTIONS) as GatewayKind[]) {
    app.get(`/${COLLECTIONS[kind]}/:gatewayId/status`, { config: { vpn: true }, schema: { hide: true } }, async (request, reply) => {
      const gatewayId = pathId(request, 'gatewayId');
      const children = await allChildren(deps, request, kind, gatewayId);
      if (!deps.liveState) return sendError(reply, 501, 'NOT_IMPLEMENTED', 'Live state needs the linux data plane (--driver linux); this service renders files only.');
      const { live, observedAt, hostConnected, note } = await liveView(deps.liveState, { kind, id: gatewayId });
      const properties = { ...(live ? presentLive(live, children) : presentUnknown(kind, children)), observedAt, hostConnected, ...(note ? { note } : {}) };
      return { id: gatewayId, type: `${kind === 'wireguard' ? 'wireguardgateway' : 'ipsecgateway'}-status`, properties };
    });
  }
}
