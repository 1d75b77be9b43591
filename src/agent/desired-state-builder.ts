import { isHostInterfaceName, lanKey } from '../domain/datacenters.ts';
import type { DesiredConnection, DesiredGateway } from '../domain/desired-state.ts';
import type { Connection } from '../schemas/common.ts';
import type { IpsecTunnelProperties } from '../schemas/ipsec.ts';
import type { WireguardGatewayProperties, WireguardPeerProperties } from '../schemas/wireguard.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { ChildRecord, GatewayRecord, LanRecord } from '../store/store.ts';

/** Host interface by LAN (key: lanKey(datacenterId, lanId)): the operator's bindings. */
export type LanBindings = ReadonlyMap<string, string>;

/** The lookup map of the bindings the store lists; only valid interface names reach the data plane. */
export function lanBindingMap(lans: LanRecord[]): LanBindings {
  return new Map(lans.flatMap((l) =>
    (l.hostInterface !== null && isHostInterfaceName(l.hostInterface) ? [[lanKey(l.datacenterId, l.lanId), l.hostInterface] as const] : [])));
}

/** A gateway's connections as the data plane needs them: the datacenter id lower-cased, with the bound interface. */
function desiredConnections(properties: Record<string, unknown>, bindings: LanBindings): DesiredConnection[] {
  const connections = (properties.connections ?? []) as Connection[];
  return connections.map((c) => {
    const hostInterface = bindings.get(lanKey(c.datacenterId, c.lanId));
    return {
      datacenterId: c.datacenterId.toLowerCase(),
      lanId: c.lanId,
      ...(c.ipv4CIDR ? { ipv4CIDR: c.ipv4CIDR } : {}),
      ...(c.ipv6CIDR ? { ipv6CIDR: c.ipv6CIDR } : {}),
      ...(hostInterface ? { hostInterface } : {}),
    };
  });
}

/** The desired data-plane state of a gateway: its stored properties with the secrets decrypted and its LANs' interfaces. */
export function desiredGateway(gateway: GatewayRecord, children: ChildRecord[], box: SecretBox, bindings: LanBindings): DesiredGateway {
  const connections = desiredConnections(gateway.properties, bindings);
  if (gateway.kind === 'wireguard') {
    const p = gateway.properties as unknown as WireguardGatewayProperties;
    return {
      kind: 'wireguard',
      id: gateway.id,
      generation: gateway.generation,
      gatewayIP: p.gatewayIP,
      listenPort: p.listenPort,
      privateKey: box.open(gateway.secret ?? '', gateway.id),
      ...(p.interfaceIPv4CIDR ? { interfaceIPv4CIDR: p.interfaceIPv4CIDR } : {}),
      ...(p.interfaceIPv6CIDR ? { interfaceIPv6CIDR: p.interfaceIPv6CIDR } : {}),
      connections,
      peers: children.filter((c) => c.kind === 'peer').map((c) => {
        const peer = c.properties as unknown as WireguardPeerProperties;
        return { id: c.id, publicKey: peer.publicKey, allowedIPs: peer.allowedIPs, ...(peer.endpoint ? { endpoint: peer.endpoint } : {}) };
      }),
    };
  }
  return {
    kind: 'ipsec',
    id: gateway.id,
    generation: gateway.generation,
    gatewayIP: String(gateway.properties.gatewayIP),
    connections,
    tunnels: children.filter((c) => c.kind === 'tunnel').map((c) => {
      const t = c.properties as unknown as IpsecTunnelProperties;
      return {
        id: c.id, remoteHost: t.remoteHost, psk: box.open(c.secret ?? '', c.id), ike: t.ike, esp: t.esp,
        cloudNetworkCIDRs: t.cloudNetworkCIDRs, peerNetworkCIDRs: t.peerNetworkCIDRs,
      };
    }),
  };
}
