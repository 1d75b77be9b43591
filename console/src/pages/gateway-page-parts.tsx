import { liveSource, NO_DATA_PLANE, NOT_REPORTED_YET } from '../live-view.ts';
import { linkProps } from '../router.ts';
import { MAX_CHILDREN, type LiveFreshness, type WireguardGateway } from '../types.ts';

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

/**
 * Where the live state shown comes from, when that needs saying: a host that no longer calls in, a gateway
 * no host runs, an observation that is not current, the server's note. Nothing for a fresh one (one box).
 */
export function LiveSourceLine({ live }: { live: { properties: LiveFreshness } | null }) {
  const source = liveSource(live);
  if (!source) return null;
  const parts = [
    source.marker ? <strong class="warn">{source.marker}</strong> : null,
    source.observed ? <time dateTime={live?.properties.observedAt ?? undefined} title={source.observedAt}>{source.observed}</time> : null,
    source.note ? <span>{source.note}</span> : null,
  ].filter(Boolean);
  return <p class="live-source">{parts.map((part, i) => <>{i ? ' · ' : ''}{part}</>)}</p>;
}

/** The data plane's word; muted when it is not an observation (nothing reported). */
export function DataPlane({ text }: { text: string }) {
  return text === NO_DATA_PLANE || text === NOT_REPORTED_YET ? <span class="muted">{text}</span> : <>{text}</>;
}
