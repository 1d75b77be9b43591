import { linkProps } from '../router.ts';
import { MAX_CHILDREN, type WireguardGateway } from '../types.ts';

/** The path segment and the words of a gateway kind, as the pages name it. */
export type GatewayKindPath = 'wireguard' | 'ipsec';
const KIND_WORDS: Record<GatewayKindPath, string> = { wireguard: 'WireGuard', ipsec: 'IPSec' };

/** A gateway page's breadcrumb and title with its Edit and Delete actions. */
export function GatewayPageHead({ kind, id, name, onDelete }: { kind: GatewayKindPath; id: string; name: string; onDelete: () => void }) {
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb"><a {...linkProps('/')}>Gateways</a> › {KIND_WORDS[kind]}</nav>
      <header class="page-head">
        <h1>{name}</h1>
        <div class="actions">
          <a class="button" {...linkProps(`/${kind}/${id}/edit`)}>Edit</a>
          <button type="button" class="danger" onClick={onDelete}>Delete</button>
        </div>
      </header>
    </>
  );
}

/** The heading of a gateway's peers or tunnels, "n / 20", with the Add link while there is room. */
export function ChildrenHead({ title, count, addPath, addLabel }: { title: string; count: number; addPath: string; addLabel: string }) {
  return (
    <header class="page-head">
      <h2>{title} <span class="muted">{count} / {MAX_CHILDREN}</span></h2>
      {count < MAX_CHILDREN ? <a class="button primary" {...linkProps(addPath)}>{addLabel}</a> : null}
    </header>
  );
}

export function ConnectionsTable({ connections }: { connections: WireguardGateway['properties']['connections'] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead><tr><th>Datacenter</th><th>LAN</th><th>IPv4 CIDR</th><th>IPv6 CIDR</th></tr></thead>
        <tbody>
          {connections.map((c, i) => (
            <tr key={i}><td data-label="Datacenter"><code>{c.datacenterId}</code></td><td data-label="LAN">{c.lanId}</td>
              <td data-label="IPv4 CIDR">{c.ipv4CIDR || '—'}</td><td data-label="IPv6 CIDR">{c.ipv6CIDR || '—'}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
