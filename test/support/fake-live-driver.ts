import type { GatewayLiveState, GatewayRef, LiveStateSource } from '../../src/agent/driver.ts';
import type { DesiredGateway } from '../../src/domain/desired-state.ts';
import { FakeDriver } from './fake-driver.ts';

/**
 * A fake data plane with live state, for tests of what the agent sends: a WireGuard gateway it
 * applied has each desired peer with `rxBytes` received; states set by hand win.
 */
export class FakeLiveDriver extends FakeDriver implements LiveStateSource {
  readonly states = new Map<string, GatewayLiveState>();
  readonly unobservable = new Set<string>();
  rxBytes = 0;

  async liveState(ref: GatewayRef): Promise<GatewayLiveState> {
    if (this.unobservable.has(ref.id)) throw new Error('wg show failed');
    const set = this.states.get(ref.id);
    if (set) return set;
    const desired = this.applied.get(ref.id);
    if (!desired) throw new Error(`gateway ${ref.id} is not applied`);
    return this.observed(desired);
  }

  private observed(desired: DesiredGateway): GatewayLiveState {
    if (desired.kind === 'ipsec') return { kind: 'ipsec', namespace: `vpngw-${desired.id}`, charonRunning: true, lans: [], tunnels: [] };
    return {
      kind: 'wireguard', namespace: `vpngw-${desired.id}`, interfaceName: 'wg-fake', present: true, listenPort: 51820, lans: [],
      peers: desired.peers.map((p) => ({ publicKey: p.publicKey, endpoint: null, latestHandshake: null, transferRxBytes: this.rxBytes, transferTxBytes: 0 })),
    };
  }

  /** Marks `id` applied with a WireGuard state of `peers` peers each having received `rxBytes`. */
  run(id: string, rxBytes: number, peers = 1) {
    this.applied.set(id, { kind: 'wireguard', id } as DesiredGateway);
    this.states.set(id, {
      kind: 'wireguard', namespace: `vpngw-${id}`, interfaceName: 'wg-x', present: true, listenPort: 51820, lans: [],
      peers: Array.from({ length: peers }, (_, i) => ({
        publicKey: Buffer.alloc(32, i + 1).toString('base64'), endpoint: null, latestHandshake: null, transferRxBytes: rxBytes, transferTxBytes: 0,
      })),
    });
  }
}
