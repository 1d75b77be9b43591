import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { liveState } from '../live.ts';
import { handshakeCell, transferCell, wireguardDataPlane } from '../live-view.ts';
import { linkProps, navigate } from '../router.ts';
import { type WireguardGateway, type WireguardLive, type WireguardPeer, type WireguardPeerList } from '../types.ts';
import { ConfirmDelete, ErrorBox, Loading, Properties, REFRESH_MS, StatusBadge, useLoad } from '../ui.tsx';
import { ChildrenHead, ConnectionsTable, DataPlane, GatewayPageHead, LiveSourceLine } from './gateway-page-parts.tsx';

async function load(id: string) {
  const base = `/wireguardgateways/${encodeURIComponent(id)}`;
  const [gateway, peers, live] = await Promise.all([
    api<WireguardGateway>('GET', base), api<WireguardPeerList>('GET', `${base}/peers?limit=1000`), liveState<WireguardLive>('wireguardgateways', id),
  ]);
  return { gateway, peers: peers.items, live };
}

export function WireguardGatewayPage({ id }: { id: string }) {
  const state = useLoad(() => load(id), [id], REFRESH_MS);
  const [deleting, setDeleting] = useState<'gateway' | WireguardPeer>();
  if (!state.data) return state.error ? <ErrorBox error={state.error} /> : <Loading what="the gateway" />;
  const { gateway, peers, live } = state.data;
  const p = gateway.properties;
  const sessions = new Map(live?.properties.peers.map((s) => [s.id, s]));
  return (
    <section>
      <GatewayPageHead kind="wireguard" id={id} name={p.name} onDelete={() => setDeleting('gateway')} />
      <ErrorBox error={state.error} />
      <Properties rows={[
        ['Status', <StatusBadge status={gateway.metadata.status} message={gateway.metadata.statusMessage} />],
        ['Gateway IP', <code>{p.gatewayIP}</code>],
        ['Listen port', p.listenPort],
        ['Interface', [p.interfaceIPv4CIDR, p.interfaceIPv6CIDR].filter(Boolean).join(', ')],
        ['Public key', <code class="key">{gateway.metadata.publicKey}</code>],
        ['Tier', p.tier],
        ['Maintenance', p.maintenanceWindow ? `${p.maintenanceWindow.dayOfTheWeek} ${p.maintenanceWindow.time}` : undefined],
        ['Description', p.description],
        ['Data plane', <DataPlane text={wireguardDataPlane(live)} />],
      ]} />
      <LiveSourceLine live={live} />
      <h2>Connections</h2>
      <ConnectionsTable connections={p.connections} />
      <ChildrenHead title="Peers" count={peers.length} addPath={`/wireguard/${id}/peers/new`} addLabel="Add peer" />
      {peers.length === 0 ? <p class="empty">No peers yet.</p> : (
        <div class="table-wrap">
          <table class="peers">
            <thead><tr><th>Name</th><th>Endpoint</th><th>Allowed IPs</th><th>Latest handshake</th><th>Received / sent</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {peers.map((peer) => {
                const s = sessions.get(peer.id);
                const handshake = handshakeCell(live, s);
                const endpoint = s?.endpoint ?? (peer.properties.endpoint ? `${peer.properties.endpoint.host}:${peer.properties.endpoint.port}` : null);
                return (
                  <tr key={peer.id} data-id={peer.id}>
                    <td data-label="Name"><a {...linkProps(`/wireguard/${id}/peers/${peer.id}`)}>{peer.properties.name}</a></td>
                    <td data-label="Endpoint">{endpoint ? <code>{endpoint}</code> : <span class="muted">roaming</span>}</td>
                    <td data-label="Allowed IPs">{peer.properties.allowedIPs.map((a) => <code key={a} class="chip">{a}</code>)}</td>
                    <td data-label="Latest handshake"><span class={handshake.ok ? 'ok' : 'muted'}>{handshake.text}</span></td>
                    <td data-label="Received / sent">{transferCell(live, s)}</td>
                    <td><button type="button" class="link danger" onClick={() => setDeleting(peer)} aria-label={`Delete peer ${peer.properties.name}`}>Delete</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {deleting === 'gateway' ? (
        <ConfirmDelete title={`Delete the gateway ${p.name}?`}
          consequences={`Its ${peers.length} peer${peers.length === 1 ? '' : 's'} go with it${peers.length ? ` (${peers.map((x) => x.properties.name).join(', ')})` : ''}, and every client connected through it loses its tunnel.`}
          onCancel={() => setDeleting(undefined)}
          onConfirm={async () => { await api('DELETE', `/wireguardgateways/${id}`); navigate('/'); }} />
      ) : deleting ? (
        <ConfirmDelete title={`Delete the peer ${deleting.properties.name}?`}
          consequences={`The client with the public key ${deleting.properties.publicKey} can no longer connect; its configuration stops working.`}
          onCancel={() => setDeleting(undefined)}
          onConfirm={async () => { await api('DELETE', `/wireguardgateways/${id}/peers/${deleting.id}`); setDeleting(undefined); await state.reload(); }} />
      ) : null}
    </section>
  );
}
