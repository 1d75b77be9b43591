import { Gauge, type Registry } from 'prom-client';
import type { GatewayLiveState, LiveStateSource } from '../agent/driver.ts';
import type { GatewayRecord, Store } from '../store/store.ts';

type Labels = Record<string, string>;

/** A source that may also answer every gateway's state at once, with its peers' ids by public key. */
export type BulkLiveStateSource = LiveStateSource & { liveStates?(): Promise<Map<string, { live: GatewayLiveState; peerIds: Map<string, string> }>> };

interface GatewayLive {
  gateway: GatewayRecord;
  live: GatewayLiveState | undefined;
  peerIds: Map<string | null, string>;
}

const REFRESH_MS = 5000;

/**
 * The data plane as it is now: per WireGuard peer the latest handshake and transfer, per IPSec
 * tunnel whether its SAs are up. Refreshed on scrapes (the driver asks wg(8) or charon; in a fleet,
 * the hosts' last reports are read in one query), and reset each time, so a removed peer or tunnel
 * stops being exported.
 */
export class LiveStateMetrics {
  private readonly gauges: Record<string, Gauge<string>>;
  private refreshedAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(registry: Registry, private readonly store: Store, private readonly source: BulkLiveStateSource) {
    const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [registry] });
    const peer = ['gateway_id', 'peer_id'];
    const tunnel = ['gateway_id', 'tunnel_id'];
    this.gauges = {
      wgUp: gauge('vpngw_wireguard_interface_up', 'Whether the gateway\'s WireGuard interface exists (1) or not (0).', ['gateway_id']),
      wgHandshake: gauge('vpngw_wireguard_peer_last_handshake_timestamp_seconds', 'Unix time of the peer\'s latest handshake; 0 when there was none.', peer),
      wgRx: gauge('vpngw_wireguard_peer_receive_bytes', 'Bytes received from the peer since the interface came up.', peer),
      wgTx: gauge('vpngw_wireguard_peer_transmit_bytes', 'Bytes sent to the peer since the interface came up.', peer),
      charonUp: gauge('vpngw_ipsec_charon_up', 'Whether the gateway\'s IKE daemon answers (1) or not (0).', ['gateway_id']),
      ikeUp: gauge('vpngw_ipsec_tunnel_ike_sa_established', 'Whether the tunnel\'s IKE SA is established (1) or not (0).', tunnel),
      childUp: gauge('vpngw_ipsec_tunnel_child_sa_established', 'Whether the tunnel\'s CHILD SA is installed (1) or not (0).', tunnel),
      ipsecIn: gauge('vpngw_ipsec_tunnel_in_bytes', 'Bytes received through the tunnel\'s CHILD SAs.', tunnel),
      ipsecOut: gauge('vpngw_ipsec_tunnel_out_bytes', 'Bytes sent through the tunnel\'s CHILD SAs.', tunnel),
    };
  }

  private set(name: string, labels: Labels, value: number) {
    this.gauges[name]?.set(labels, value);
  }

  /**
   * Asks the driver about every gateway not being deleted, at most once per REFRESH_MS however often
   * /metrics is scraped (each ask runs wg(8) or swanctl), and one refresh at a time. One gateway's
   * failure leaves only its series out.
   */
  refresh(): Promise<void> {
    if (Date.now() - this.refreshedAt < REFRESH_MS) return Promise.resolve();
    this.inFlight ??= this.collect().finally(() => {
      this.refreshedAt = Date.now();
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async collect(): Promise<void> {
    const gateways = (await this.store.listAllGateways()).filter((g) => !g.deleting);
    const states = this.source.liveStates ? await this.fromBulk(gateways, this.source.liveStates()) : await this.oneByOne(gateways);
    // Everything is read before the series are replaced, with no await between reset and set.
    for (const gauge of Object.values(this.gauges)) gauge.reset();
    for (const { gateway, live, peerIds } of states) if (live) this.record(gateway, live, peerIds);
  }

  /** A source that keeps every gateway's state (a fleet's reports) answers all of them at once, not a query per gateway. */
  private async fromBulk(gateways: GatewayRecord[], all: Promise<Map<string, { live: GatewayLiveState; peerIds: Map<string, string> }>>): Promise<GatewayLive[]> {
    const byId = await all;
    return gateways.map((gateway) => {
      const entry = byId.get(gateway.id);
      return entry?.live.kind === gateway.kind ? { gateway, live: entry.live, peerIds: entry.peerIds } : { gateway, live: undefined, peerIds: new Map() };
    });
  }

  private oneByOne(gateways: GatewayRecord[]): Promise<GatewayLive[]> {
    return Promise.all(gateways.map(async (gateway) => ({
      gateway,
      live: await this.source.liveState({ kind: gateway.kind, id: gateway.id }).catch(() => undefined),
      // Peers are labelled by their API id, which operators know; the data plane knows only keys.
      peerIds: gateway.kind === 'wireguard' ? new Map((await this.store.listAllChildren(gateway.id)).map((c) => [c.uniqueKey, c.id])) : new Map(),
    })));
  }

  private record(gateway: GatewayRecord, live: GatewayLiveState, peerIds: Map<string | null, string>) {
    const gatewayId = gateway.id;
    if (live.kind === 'ipsec') {
      this.set('charonUp', { gateway_id: gatewayId }, live.charonRunning ? 1 : 0);
      for (const t of live.tunnels) {
        const labels = { gateway_id: gatewayId, tunnel_id: t.tunnelId };
        this.set('ikeUp', labels, t.ikeEstablished ? 1 : 0);
        this.set('childUp', labels, t.childEstablished ? 1 : 0);
        this.set('ipsecIn', labels, t.bytesIn);
        this.set('ipsecOut', labels, t.bytesOut);
      }
      return;
    }
    this.set('wgUp', { gateway_id: gatewayId }, live.present ? 1 : 0);
    for (const p of live.peers) {
      const peerId = peerIds.get(p.publicKey);
      if (!peerId) continue;
      const labels = { gateway_id: gatewayId, peer_id: peerId };
      this.set('wgHandshake', labels, p.latestHandshake ? Date.parse(p.latestHandshake) / 1000 : 0);
      this.set('wgRx', labels, p.transferRxBytes);
      this.set('wgTx', labels, p.transferTxBytes);
    }
  }
}
