import { ApiRequestError } from './api-client.ts';
import { type CliContext, type Subcommand } from './command.ts';
import { formatDetails, formatJson, formatTable, type Column } from './output.ts';

type Status = { id: string; properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON

const NOT_APPLIED = 'live state needs the linux data plane: this server runs the files driver, which only renders configuration '
  + '(start it with --driver linux).';

const LAN_COLUMNS: Column[] = [
  { header: 'DATACENTER', value: (l) => l.datacenterId },
  { header: 'LAN', value: (l) => l.lanId },
  { header: 'LEG', value: (l) => l.interfaceName },
  { header: 'PRESENT', value: (l) => (l.present ? 'yes' : 'no') },
  { header: 'ADDRESSES', value: (l) => l.addresses },
];

const PEER_COLUMNS: Column[] = [
  { header: 'PEER ID', value: (p) => p.id },
  { header: 'CONFIGURED', value: (p) => (p.configured ? 'yes' : 'no') },
  { header: 'ENDPOINT', value: (p) => p.endpoint ?? '' },
  { header: 'LATEST HANDSHAKE', value: (p) => p.latestHandshake ?? 'never' },
  { header: 'RX BYTES', value: (p) => p.transferRxBytes },
  { header: 'TX BYTES', value: (p) => p.transferTxBytes },
];

const TUNNEL_COLUMNS: Column[] = [
  { header: 'TUNNEL ID', value: (t) => t.id },
  { header: 'IKE', value: (t) => t.ikeState ?? 'none' },
  { header: 'IKE UP', value: (t) => (t.ikeEstablished ? 'yes' : 'no') },
  { header: 'CHILD UP', value: (t) => (t.childEstablished ? 'yes' : 'no') },
  { header: 'BYTES IN', value: (t) => t.bytesIn },
  { header: 'BYTES OUT', value: (t) => t.bytesOut },
];

/** The gateway's own state as `key  value` lines, then a table per list (peers or tunnels, then LANs). */
function statusText(kind: 'wireguard' | 'ipsec', status: Status): string {
  const p = status.properties;
  const head = kind === 'wireguard'
    ? { gatewayId: status.id, interface: p.interfaceName, interfacePresent: p.interfacePresent ? 'yes' : 'no', listenPort: p.listenPort ?? '' }
    : { gatewayId: status.id, charonRunning: p.charonRunning ? 'yes' : 'no' };
  const sessions = kind === 'wireguard' ? formatTable(PEER_COLUMNS, p.peers ?? []) : formatTable(TUNNEL_COLUMNS, p.tunnels ?? []);
  return `${formatDetails(head)}\n${sessions}\n${formatTable(LAN_COLUMNS, p.lans ?? [])}`;
}

async function fetchStatus(ctx: CliContext, path: string): Promise<Status> {
  try {
    return await ctx.client.get<Status>(path);
  } catch (error) {
    if (error instanceof ApiRequestError && error.httpStatus === 501) throw new ApiRequestError(NOT_APPLIED, 501, error.errorCode);
    throw error;
  }
}

/** `vpngw wireguard|ipsec gateway status <gatewayId>`: the live sessions the data plane reports. */
export function gatewayStatusCommand(kind: 'wireguard' | 'ipsec'): Subcommand {
  const collection = kind === 'wireguard' ? 'wireguardgateways' : 'ipsecgateways';
  const sessions = kind === 'wireguard' ? 'per peer its endpoint, latest handshake and bytes' : 'per tunnel its IKE and CHILD SA state and bytes';
  return {
    summary: `Show the live state of a gateway: ${sessions}, and its LAN legs (needs the linux data plane).`,
    args: ['gatewayId'],
    async run(ctx, _values, [gatewayId = '']) {
      const status = await fetchStatus(ctx, `/${collection}/${encodeURIComponent(gatewayId)}/status`);
      ctx.out(ctx.output === 'json' ? formatJson(status) : statusText(kind, status));
    },
  };
}
