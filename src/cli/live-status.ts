import { ApiRequestError } from './api-client.ts';
import { type CliContext, type Subcommand } from './command.ts';
import { formatDetails, formatJson, formatTable, type Column } from './output.ts';

type Status = { id: string; properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON

const NOT_APPLIED = 'live state needs the linux data plane: this server runs the files driver, which only renders configuration '
  + '(start it with --driver linux).';

/** yes/no, or unknown when the host that runs the gateway has not sent its state yet (null). */
const yesNo = (value: boolean | null | undefined) => (value === null || value === undefined ? 'unknown' : value ? 'yes' : 'no');
const count = (value: number | null) => (value === null ? 'unknown' : value);

const LAN_COLUMNS: Column[] = [
  { header: 'DATACENTER', value: (l) => l.datacenterId },
  { header: 'LAN', value: (l) => l.lanId },
  { header: 'LEG', value: (l) => l.interfaceName },
  { header: 'PRESENT', value: (l) => (l.present ? 'yes' : 'no') },
  { header: 'ADDRESSES', value: (l) => l.addresses },
];

const PEER_COLUMNS: Column[] = [
  { header: 'PEER ID', value: (p) => p.id },
  { header: 'CONFIGURED', value: (p) => yesNo(p.configured) },
  { header: 'ENDPOINT', value: (p) => p.endpoint ?? '' },
  { header: 'LATEST HANDSHAKE', value: (p) => p.latestHandshake ?? 'never' },
  { header: 'RX BYTES', value: (p) => count(p.transferRxBytes) },
  { header: 'TX BYTES', value: (p) => count(p.transferTxBytes) },
];

const TUNNEL_COLUMNS: Column[] = [
  { header: 'TUNNEL ID', value: (t) => t.id },
  { header: 'IKE', value: (t) => t.ikeState ?? 'none' },
  { header: 'IKE UP', value: (t) => yesNo(t.ikeEstablished) },
  { header: 'CHILD UP', value: (t) => yesNo(t.childEstablished) },
  { header: 'BYTES IN', value: (t) => count(t.bytesIn) },
  { header: 'BYTES OUT', value: (t) => count(t.bytesOut) },
];

/** The gateway's own state as `key  value` lines, then a table per list (peers or tunnels, then LANs). */
function statusText(kind: 'wireguard' | 'ipsec', status: Status): string {
  const p = status.properties;
  const own = kind === 'wireguard'
    ? { gatewayId: status.id, interface: p.interfaceName ?? 'unknown', interfacePresent: yesNo(p.interfacePresent), listenPort: p.listenPort ?? '' }
    : { gatewayId: status.id, charonRunning: yesNo(p.charonRunning) };
  // In a fleet the state is what the gateway's host last sent: when it was observed, and whether the host still calls in.
  const head = { ...own, observedAt: p.observedAt ?? 'not reported yet', hostConnected: yesNo(p.hostConnected), ...(p.note ? { note: p.note } : {}) };
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
