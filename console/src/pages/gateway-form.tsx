import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { DAYS, TIERS } from '../choices.ts';
import { generateKeyPair } from '../keys.ts';
import { linkProps, navigate } from '../router.ts';
import type { Connection, DatacenterList, IpsecGateway, WireguardGateway } from '../types.ts';
import { ErrorBox, Field, Loading, otherErrors, Select, useLoad, useSubmit } from '../ui.tsx';

type Kind = 'wireguard' | 'ipsec';
const COLLECTION: Record<Kind, string> = { wireguard: 'wireguardgateways', ipsec: 'ipsecgateways' };
const TITLE: Record<Kind, string> = { wireguard: 'WireGuard', ipsec: 'IPSec' };

interface ConnectionDraft { datacenterId: string; lanId: string; ipv4CIDR: string; ipv6CIDR: string }
interface Draft {
  name: string; description: string; gatewayIP: string; interfaceIPv4CIDR: string; interfaceIPv6CIDR: string; privateKey: string;
  listenPort: string; tier: string; day: string; time: string; connections: ConnectionDraft[];
}

const emptyConnection = (): ConnectionDraft => ({ datacenterId: '', lanId: '', ipv4CIDR: '', ipv6CIDR: '' });

function draftOf(gateway: WireguardGateway | IpsecGateway | undefined): Draft {
  const p = (gateway?.properties ?? {}) as Partial<WireguardGateway['properties']>;
  return {
    name: p.name ?? '', description: p.description ?? '', gatewayIP: p.gatewayIP ?? '', interfaceIPv4CIDR: p.interfaceIPv4CIDR ?? '',
    interfaceIPv6CIDR: p.interfaceIPv6CIDR ?? '', privateKey: '', listenPort: p.listenPort ? String(p.listenPort) : '', tier: p.tier ?? '',
    day: p.maintenanceWindow?.dayOfTheWeek ?? '', time: p.maintenanceWindow?.time ?? '',
    connections: p.connections?.map((c: Connection) => ({ datacenterId: c.datacenterId, lanId: c.lanId, ipv4CIDR: c.ipv4CIDR ?? '', ipv6CIDR: c.ipv6CIDR ?? '' })) ?? [emptyConnection()],
  };
}

/** The request body: fields left empty are left out, so the API applies its defaults. */
function bodyOf(kind: Kind, d: Draft) {
  const set = <T,>(value: T | '', key: string) => (value === '' ? {} : { [key]: value });
  const properties = {
    name: d.name, ...set(d.description, 'description'), gatewayIP: d.gatewayIP.trim(),
    connections: d.connections.map((c) => ({ datacenterId: c.datacenterId.trim(), lanId: c.lanId.trim(), ...set(c.ipv4CIDR.trim(), 'ipv4CIDR'), ...set(c.ipv6CIDR.trim(), 'ipv6CIDR') })),
    ...set(d.tier, 'tier'),
    ...(d.day || d.time ? { maintenanceWindow: { dayOfTheWeek: d.day, time: d.time.length === 5 ? `${d.time}:00` : d.time } } : {}),
    ...(kind === 'wireguard' ? {
      ...set(d.interfaceIPv4CIDR.trim(), 'interfaceIPv4CIDR'), ...set(d.interfaceIPv6CIDR.trim(), 'interfaceIPv6CIDR'),
      ...set(d.privateKey.trim(), 'privateKey'), ...(d.listenPort ? { listenPort: Number(d.listenPort) } : {}),
    } : {}),
  };
  return { properties };
}

export function GatewayForm({ kind, id }: { kind: Kind; id?: string | undefined }) {
  const path = id ? `/${COLLECTION[kind]}/${encodeURIComponent(id)}` : `/${COLLECTION[kind]}`;
  const existing = useLoad(() => (id ? api<WireguardGateway | IpsecGateway>('GET', path) : Promise.resolve(undefined)), [path]);
  const datacenters = useLoad(() => api<DatacenterList>('GET', '/cloudapi/v6/datacenters?limit=1000').catch(() => undefined), []);
  const [draft, setDraft] = useState<Draft>(draftOf(undefined));
  useEffect(() => { if (existing.data) setDraft(draftOf(existing.data)); }, [existing.data]);
  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const updateConnection = (i: number, change: Partial<ConnectionDraft>) =>
    setDraft((d) => ({ ...d, connections: d.connections.map((c, j) => (j === i ? { ...c, ...change } : c)) }));
  const { errors, busy, submit } = useSubmit(async () => {
    const saved = await api<{ id: string }>(id ? 'PUT' : 'POST', path, bodyOf(kind, draft));
    navigate(`/${kind}/${saved.id}`);
  });
  if (id && !existing.data) return existing.error ? <ErrorBox error={existing.error} /> : <Loading what="the gateway" />;
  const f = (name: keyof Draft, label: string, extra: Partial<Parameters<typeof Field>[0]> = {}) => (
    <Field name={name} label={label} value={draft[name] as string} error={errors[name]} onInput={(v) => update({ [name]: v })} {...extra} />
  );
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><a {...linkProps('/')}>Gateways</a> › {id ? <a {...linkProps(`/${kind}/${id}`)}>{existing.data?.properties.name}</a> : `New ${TITLE[kind]} gateway`}</nav>
      <h1>{id ? `Edit ${existing.data?.properties.name}` : `New ${TITLE[kind]} gateway`}</h1>
      <form onSubmit={submit} class="card form" noValidate>
        {f('name', 'Name', { required: true })}
        {f('description', 'Description', { multiline: true })}
        {f('gatewayIP', 'Gateway IP', { required: true, placeholder: '203.0.113.10', hint: 'The public address clients connect to.' })}
        {kind === 'wireguard' ? (
          <>
            {f('interfaceIPv4CIDR', 'Interface IPv4 CIDR', { placeholder: '10.7.0.1/24', hint: 'One of IPv4 and IPv6 is required.' })}
            {f('interfaceIPv6CIDR', 'Interface IPv6 CIDR', { placeholder: 'fd00:7::1/64' })}
            {f('privateKey', 'Private key', {
              required: !id, type: 'password', hint: id ? 'Leave empty to keep the current key.' : 'Generated here; the API never returns it.',
              children: <button type="button" onClick={async () => update({ privateKey: (await generateKeyPair()).privateKey })}>Generate</button>,
            })}
            {f('listenPort', 'Listen port', { type: 'number', placeholder: '51820' })}
          </>
        ) : null}
        <Select name="tier" label="Tier" value={draft.tier} options={['', ...TIERS]} onInput={(v) => update({ tier: v })} error={errors.tier} />
        <fieldset data-field="maintenanceWindow" class={errors.maintenanceWindow ? 'invalid' : ''}>
          <legend>Maintenance window</legend>
          <div class="grid2">
            <Select name="day" label="Day" value={draft.day} options={['', ...DAYS]} onInput={(v) => update({ day: v })} />
            <Field name="time" label="Time (UTC)" type="time" value={draft.time.slice(0, 5)} onInput={(v) => update({ time: v })} />
          </div>
          <small class="hint">Left empty, the server picks one.</small>
          {errors.maintenanceWindow ? <small class="field-error" role="alert">{errors.maintenanceWindow}</small> : null}
        </fieldset>
        <fieldset data-field="connections" class={errors.connections ? 'invalid' : ''}>
          <legend>Connections to LANs</legend>
          <datalist id="datacenters">
            {datacenters.data?.items.map((dc) => <option key={dc.id} value={dc.id}>{dc.properties.name}</option>)}
          </datalist>
          {draft.connections.map((c, i) => (
            <div class="connection" key={i}>
              <Field name={`connection-${i}-datacenterId`} label="Datacenter ID" list="datacenters" required value={c.datacenterId} onInput={(v) => updateConnection(i, { datacenterId: v })} />
              <Field name={`connection-${i}-lanId`} label="LAN ID" required value={c.lanId} onInput={(v) => updateConnection(i, { lanId: v })} />
              <Field name={`connection-${i}-ipv4CIDR`} label="IPv4 CIDR" placeholder="192.168.1.100/24" value={c.ipv4CIDR} onInput={(v) => updateConnection(i, { ipv4CIDR: v })} />
              <Field name={`connection-${i}-ipv6CIDR`} label="IPv6 CIDR" value={c.ipv6CIDR} onInput={(v) => updateConnection(i, { ipv6CIDR: v })} />
              {draft.connections.length > 1 ? <button type="button" class="link" onClick={() => update({ connections: draft.connections.filter((_, j) => j !== i) })}>Remove this connection</button> : null}
            </div>
          ))}
          {draft.connections.length < 10 ? <button type="button" onClick={() => update({ connections: [...draft.connections, emptyConnection()] })}>Add a connection</button> : null}
          {errors.connections ? <small class="field-error" role="alert">{errors.connections}</small> : null}
        </fieldset>
        <ErrorBox error={otherErrors(errors, ['name', 'description', 'gatewayIP', 'interfaceIPv4CIDR', 'interfaceIPv6CIDR', 'privateKey', 'listenPort', 'tier', 'maintenanceWindow', 'connections'])} />
        <div class="actions">
          <a class="button" {...linkProps(id ? `/${kind}/${id}` : '/')}>Cancel</a>
          <button type="submit" class="primary" disabled={busy}>{id ? 'Save' : 'Create gateway'}</button>
        </div>
      </form>
    </section>
  );
}
