/** Valid request bodies on documentation address ranges; tests override single fields. */
export const DATACENTER_ID = '5a029f4a-72e5-11ec-90d6-0242ac120003';
export const GATEWAY_PRIVATE_KEY = '0HpE4BNwGHabeaC4aY/GFxB6fBSc0d49Db0qAzRVSVc=';
/** `wg pubkey` of GATEWAY_PRIVATE_KEY. */
export const GATEWAY_PUBLIC_KEY = '9GCzWfGEkeM855tl2kjVtE+MnzHBkv1sJi4+Swo1c2E=';
export const PEER_PUBLIC_KEY = 'no8iaSEoqfbI6PVYsdEiUU5efYdtKX8VAhKity19MWI=';
export const PSK = 'tunnel-psk-not-for-logs';

/** A connection to LAN 2 of a datacenter (by default DATACENTER_ID, which the first contract that names it owns). */
export const connection = (datacenterId = DATACENTER_ID) => ({ datacenterId, lanId: '2', ipv4CIDR: '192.168.1.100/24' });

export const wireguardGateway = (overrides: Record<string, unknown> = {}) => ({
  properties: {
    name: 'My Company Gateway',
    gatewayIP: '192.0.2.10',
    interfaceIPv4CIDR: '172.16.0.1/24',
    connections: [connection()],
    privateKey: GATEWAY_PRIVATE_KEY,
    ...overrides,
  },
});

/** A distinct valid public key per n (32 bytes, base64). */
export const peerKey = (n: number) => Buffer.alloc(32, n + 1).toString('base64');

/**
 * The default allowed IPs of a peer with this key: 172.16.0.2/32 for PEER_PUBLIC_KEY, else an address
 * made of the key's first bytes (peerKey(n) gives 10.n+1.n+1.n+1/32), since a gateway's peers may not overlap.
 */
export const peerAddress = (publicKey: string) => {
  if (publicKey === PEER_PUBLIC_KEY) return '172.16.0.2/32';
  const [a = 0, b = 0, c = 0] = Buffer.from(publicKey, 'base64');
  return `10.${a}.${b}.${c}/32`;
};

export const wireguardPeer = (overrides: Record<string, unknown> = {}) => ({
  properties: {
    name: 'laptop',
    allowedIPs: [peerAddress(typeof overrides.publicKey === 'string' ? overrides.publicKey : PEER_PUBLIC_KEY)],
    publicKey: PEER_PUBLIC_KEY,
    endpoint: { host: '198.51.100.7', port: 51820 },
    ...overrides,
  },
});

export const ipsecGateway = (overrides: Record<string, unknown> = {}) => ({
  properties: {
    name: 'My Company IPSec Gateway',
    gatewayIP: '192.0.2.20',
    connections: [connection()],
    ...overrides,
  },
});

/** A distinct remote host per n, from .100 up (tests that name a host use lower ones; a gateway's tunnels must not share one). */
const tunnelHost = (n: number) => `203.0.113.${(n % 150) + 100}`;
let tunnelsMade = 0;

/** A tunnel body; each call names another remote host, with its own peer network, unless given. */
export const ipsecTunnel = (overrides: Record<string, unknown> = {}) => {
  const n = tunnelsMade++;
  return {
    properties: {
      name: 'site-b',
      remoteHost: tunnelHost(n),
      auth: { method: 'PSK', psk: { key: PSK } },
      ike: {},
      esp: {},
      cloudNetworkCIDRs: ['10.0.0.0/24'],
      // A gateway's tunnels may not share remote networks.
      peerNetworkCIDRs: [`10.1.${n % 250}.0/24`],
      ...overrides,
    },
  };
};
