import type { DesiredGateway } from '../domain/desired-state.ts';
import type { IpsecTunnelProperties } from '../schemas/ipsec.ts';
import type { WireguardGatewayProperties, WireguardPeerProperties } from '../schemas/wireguard.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { ChildRecord, GatewayRecord } from '../store/store.ts';

/** The desired data-plane state of a gateway: its stored properties with the secrets decrypted. */
export function desiredGateway(gateway: GatewayRecord, children: ChildRecord[], box: SecretBox): DesiredGateway {
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
    tunnels: children.filter((c) => c.kind === 'tunnel').map((c) => {
      const t = c.properties as unknown as IpsecTunnelProperties;
      return {
        id: c.id, remoteHost: t.remoteHost, psk: box.open(c.secret ?? '', c.id), ike: t.ike, esp: t.esp,
        cloudNetworkCIDRs: t.cloudNetworkCIDRs, peerNetworkCIDRs: t.peerNetworkCIDRs,
      };
    }),
  };
}
