import { api } from '../api.ts';
import { establishedTunnels, healthyPeers, liveState } from '../live.ts';
import { linkProps } from '../router.ts';
import {
  MAX_CHILDREN, type IpsecGateway, type IpsecGatewayList, type IpsecLive, type IpsecTunnelList, type WireguardGateway,
  type WireguardGatewayList, type WireguardLive, type WireguardPeerList,
} from '../types.ts';
import { ErrorBox, Loading, REFRESH_MS, StatusBadge, useLoad } from '../ui.tsx';

interface Row { kind: 'wireguard' | 'ipsec'; gateway: WireguardGateway | IpsecGateway; children: number; healthy: number | undefined }

async function loadRows(): Promise<Row[]> {
  const [wireguard, ipsec] = await Promise.all([
    api<WireguardGatewayList>('GET', '/wireguardgateways?limit=1000'),
    api<IpsecGatewayList>('GET', '/ipsecgateways?limit=1000'),
  ]);
  const wg = wireguard.items.map(async (gateway): Promise<Row> => {
    const [peers, live] = await Promise.all([
      api<WireguardPeerList>('GET', `/wireguardgateways/${gateway.id}/peers?limit=1000`),
      liveState<WireguardLive>('wireguardgateways', gateway.id),
    ]);
    return { kind: 'wireguard', gateway, children: peers.items.length, healthy: healthyPeers(live) };
  });
  const ip = ipsec.items.map(async (gateway): Promise<Row> => {
    const [tunnels, live] = await Promise.all([
      api<IpsecTunnelList>('GET', `/ipsecgateways/${gateway.id}/tunnels?limit=1000`),
      liveState<IpsecLive>('ipsecgateways', gateway.id),
    ]);
    return { kind: 'ipsec', gateway, children: tunnels.items.length, healthy: establishedTunnels(live) };
  });
  return Promise.all([...wg, ...ip]);
}

function GatewayTable({ rows, kind }: { rows: Row[]; kind: Row['kind'] }) {
  const children = kind === 'wireguard' ? 'Peers' : 'Tunnels';
  const health = kind === 'wireguard' ? 'Recent handshake' : 'SA established';
  const mine = rows.filter((r) => r.kind === kind);
  if (mine.length === 0) return <p class="empty">No {kind === 'wireguard' ? 'WireGuard' : 'IPSec'} gateways yet.</p>;
  return (
    <div class="table-wrap">
      <table class="gateways" data-kind={kind}>
        <thead><tr><th>Name</th><th>Status</th><th>Gateway IP</th><th>{children}</th><th>{health}</th></tr></thead>
        <tbody>
          {mine.map(({ gateway, children: n, healthy }) => (
            <tr key={gateway.id} data-id={gateway.id}>
              <td data-label="Name"><a {...linkProps(`/${kind}/${gateway.id}`)}>{gateway.properties.name}</a></td>
              <td data-label="Status"><StatusBadge status={gateway.metadata.status} message={gateway.metadata.statusMessage} /></td>
              <td data-label="Gateway IP"><code>{gateway.properties.gatewayIP}</code></td>
              <td data-label={children}>{n} / {MAX_CHILDREN}</td>
              <td data-label={health}>{healthy === undefined ? <span class="muted" title="This data plane reports no live sessions">not reported</span> : `${healthy} / ${n}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Overview() {
  const rows = useLoad(loadRows, [], REFRESH_MS);
  return (
    <section>
      <header class="page-head">
        <h1>Gateways</h1>
        <div class="actions">
          <a class="button" {...linkProps('/wireguard/new')}>New WireGuard gateway</a>
          <a class="button" {...linkProps('/ipsec/new')}>New IPSec gateway</a>
        </div>
      </header>
      <ErrorBox error={rows.error} />
      {rows.data ? (
        <>
          <h2>WireGuard</h2>
          <GatewayTable rows={rows.data} kind="wireguard" />
          <h2>IPSec</h2>
          <GatewayTable rows={rows.data} kind="ipsec" />
          <p class="muted refresh-note">Refreshes every {REFRESH_MS / 1000} s while this tab is visible.</p>
        </>
      ) : rows.loading ? <Loading what="gateways" /> : null}
    </section>
  );
}
