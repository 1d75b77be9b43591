import type { DesiredIpsecGateway, DesiredWireguardGateway } from '../../../src/domain/desired-state.ts';

export const DC = '5a029f4a-72e5-11ec-90d6-0242ac120003';
const security = { diffieHellmanGroup: '19-ECP256', encryptionAlgorithm: 'AES256-GCM-16', integrityAlgorithm: 'SHA256', lifetime: 3600 } as const;

/** A WireGuard gateway with two LANs (one bound, one not) and peers with nested allowed IPs. */
export const wireguardGateway: DesiredWireguardGateway = {
  kind: 'wireguard', id: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', generation: 3, gatewayIP: '203.0.113.5', listenPort: 51820,
  privateKey: 'kDmdA9b06A8zRP6UD0Uo3gD7IM0aNkMPZYjnhg4WHlM=', interfaceIPv4CIDR: '10.9.0.1/24', interfaceIPv6CIDR: '2001:db8:9::1/64',
  connections: [
    { datacenterId: DC, lanId: '2', ipv4CIDR: '192.168.1.100/24', ipv6CIDR: '2001:db8:1::100/64', hostInterface: 'eth1' },
    { datacenterId: DC, lanId: '3', ipv4CIDR: '192.168.2.100/24' },
  ],
  peers: [
    { id: 'p1', publicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=', allowedIPs: ['10.9.0.2/32', '2001:db8:9::2/128'] },
    { id: 'p2', publicKey: 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=', allowedIPs: ['10.9.0.0/28', '10.9.0.3/32', '172.16.0.0/16'] },
  ],
};

/** An IPSec gateway with one bound LAN and two tunnels (the second's cloud network misses the LAN address). */
export const ipsecGateway: DesiredIpsecGateway = {
  kind: 'ipsec', id: '1d2e3f4a-5b6c-4d7e-8f80-91a2b3c4d5e6', generation: 1, gatewayIP: '203.0.113.6',
  connections: [{ datacenterId: DC, lanId: '2', ipv4CIDR: '192.168.1.100/24', hostInterface: 'eth1' }],
  tunnels: [
    { id: 'b0000000-0000-4000-8000-000000000001', remoteHost: '198.51.100.20', psk: 'secret-one', ike: security, esp: security, cloudNetworkCIDRs: ['192.168.1.0/24'], peerNetworkCIDRs: ['10.20.0.0/16'] },
    { id: 'b0000000-0000-4000-8000-000000000002', remoteHost: '198.51.100.21', psk: 'secret-two', ike: security, esp: security, cloudNetworkCIDRs: ['192.168.1.128/25'], peerNetworkCIDRs: ['10.21.0.0/16', '10.22.0.0/16'] },
  ],
};
