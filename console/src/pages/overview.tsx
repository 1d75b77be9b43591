import { api } from '../api.ts';
import { liveState } from '../live.ts';
import { establishedTunnels, healthCell, healthyPeers, type HealthCell } from '../live-view.ts';
import { linkProps } from '../router.ts';
import {
  MAX_CHILDREN, type IpsecGateway, type IpsecGatewayList, type IpsecLive, type IpsecTunnelList, type WireguardGateway,
  type WireguardGatewayList, type WireguardLive, type WireguardPeerList,
} from '../types.ts';
import { ErrorBox, Loading, REFRESH_MS, StatusBadge, useLoad } from '../ui.tsx';

interface Row { kind: 'wireguard' | 'ipsec'; gateway: WireguardGateway | IpsecGateway; children: number; health: HealthCell }

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
    return { kind: 'wireguard', gateway, children: peers.items.length, health: healthCell(live, live ? healthyPeers(live) : 0, peers.items.length) };
  });
  const ip = ipsec.items.map(async (gateway): Promise<Row> => {
    const [tunnels, live] = await Promise.all([
      api<IpsecTunnelList>('GET', `/ipsecgateways/${gateway.id}/tunnels?limit=1000`),
      liveState<IpsecLive>('ipsecgateways', gateway.id),
    ]);
    return { kind: 'ipsec', gateway, children: tunnels.items.length, health: healthCell(live, live ? establishedTunnels(live) : 0, tunnels.items.length) };
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
          {mine.map(({ gateway, children: n, health: cell }) => (
            <tr key={gateway.id} data-id={gateway.id}>
              <td data-label="Name"><a {...linkProps(`/${kind}/${gateway.id}`)}>{gateway.properties.name}</a></td>
              <td data-label="Status"><StatusBadge status={gateway.metadata.status} message={gateway.metadata.statusMessage} /></td>
              <td data-label="Gateway IP"><code>{gateway.properties.gatewayIP}</code></td>
              <td data-label={children}>{n} / {MAX_CHILDREN}</td>
              <td data-label={health}>{cell.tone === 'plain' ? cell.text : <span class={cell.tone} title={cell.title}>{cell.text}</span>}</td>
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
