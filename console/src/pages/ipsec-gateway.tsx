import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { proposalWords } from '../choices.ts';
import { liveState } from '../live.ts';
import { ipsecDataPlane, saCell } from '../live-view.ts';
import { linkProps, navigate } from '../router.ts';
import { type IpsecGateway, type IpsecLive, type IpsecTunnel, type IpsecTunnelList } from '../types.ts';
import { ConfirmDelete, ErrorBox, Loading, Properties, REFRESH_MS, StatusBadge, useLoad } from '../ui.tsx';
import { ChildrenHead, ConnectionsTable, DataPlane, GatewayPageHead, LiveSourceLine } from './gateway-page-parts.tsx';

async function load(id: string) {
  const base = `/ipsecgateways/${encodeURIComponent(id)}`;
  const [gateway, tunnels, live] = await Promise.all([
    api<IpsecGateway>('GET', base), api<IpsecTunnelList>('GET', `${base}/tunnels?limit=1000`), liveState<IpsecLive>('ipsecgateways', id),
  ]);
  return { gateway, tunnels: tunnels.items, live };
}

export function IpsecGatewayPage({ id }: { id: string }) {
  const state = useLoad(() => load(id), [id], REFRESH_MS);
  const [deleting, setDeleting] = useState<'gateway' | IpsecTunnel>();
  if (!state.data) return state.error ? <ErrorBox error={state.error} /> : <Loading what="the gateway" />;
  const { gateway, tunnels, live } = state.data;
  const p = gateway.properties;
  const sas = new Map(live?.properties.tunnels.map((t) => [t.id, t]));
  return (
    <section>
      <GatewayPageHead kind="ipsec" id={id} name={p.name} onDelete={() => setDeleting('gateway')} />
      <ErrorBox error={state.error} />
      <Properties rows={[
        ['Status', <StatusBadge status={gateway.metadata.status} message={gateway.metadata.statusMessage} />],
        ['Gateway IP', <code>{p.gatewayIP}</code>],
        ['Version', p.version],
        ['Tier', p.tier],
        ['Maintenance', p.maintenanceWindow ? `${p.maintenanceWindow.dayOfTheWeek} ${p.maintenanceWindow.time}` : undefined],
        ['Description', p.description],
        ['Data plane', <DataPlane text={ipsecDataPlane(live)} />],
      ]} />
      <LiveSourceLine live={live} />
      <h2>Connections</h2>
      <ConnectionsTable connections={p.connections} />
      <ChildrenHead title="Tunnels" count={tunnels.length} addPath={`/ipsec/${id}/tunnels/new`} addLabel="Add tunnel" />
      {tunnels.length === 0 ? <p class="empty">No tunnels yet.</p> : (
        <div class="table-wrap">
          <table class="tunnels">
            <thead><tr><th>Name</th><th>Remote host</th><th>Networks (cloud ⇄ peer)</th><th>IKE / ESP</th><th>SA state</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {tunnels.map((tunnel) => {
                const t = tunnel.properties;
                const sa = saCell(live, sas.get(tunnel.id));
                return (
                  <tr key={tunnel.id} data-id={tunnel.id}>
                    <td data-label="Name"><a {...linkProps(`/ipsec/${id}/tunnels/${tunnel.id}`)}>{t.name}</a></td>
                    <td data-label="Remote host"><code>{t.remoteHost}</code></td>
                    <td data-label="Networks">{t.cloudNetworkCIDRs.join(', ')} ⇄ {t.peerNetworkCIDRs.join(', ')}</td>
                    <td data-label="IKE / ESP"><small>IKE: {proposalWords(t.ike)}<br />ESP: {proposalWords(t.esp)}</small></td>
                    <td data-label="SA state"><span class={sa.ok ? 'ok' : 'muted'}>{sa.text}</span></td>
                    <td><button type="button" class="link danger" onClick={() => setDeleting(tunnel)} aria-label={`Delete tunnel ${t.name}`}>Delete</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {deleting === 'gateway' ? (
        <ConfirmDelete title={`Delete the gateway ${p.name}?`}
          consequences={`Its ${tunnels.length} tunnel${tunnels.length === 1 ? '' : 's'} go with it${tunnels.length ? ` (${tunnels.map((x) => x.properties.name).join(', ')})` : ''}, and the remote sites lose their connection.`}
          onCancel={() => setDeleting(undefined)}
          onConfirm={async () => { await api('DELETE', `/ipsecgateways/${id}`); navigate('/'); }} />
      ) : deleting ? (
        <ConfirmDelete title={`Delete the tunnel ${deleting.properties.name}?`}
          consequences={`The site at ${deleting.properties.remoteHost} loses its connection to ${deleting.properties.cloudNetworkCIDRs.join(', ')}.`}
          onCancel={() => setDeleting(undefined)}
          onConfirm={async () => { await api('DELETE', `/ipsecgateways/${id}/tunnels/${deleting.id}`); setDeleting(undefined); await state.reload(); }} />
      ) : null}
    </section>
  );
}
