import { useEffect, useState } from 'preact/hooks';
import { renderSwanctlClientConfig } from '../../../src/render/client-swanctl-config.ts';
import { api } from '../api.ts';
import { DH_GROUPS, ENCRYPTIONS, INTEGRITIES, proposalWords } from '../choices.ts';
import { linkProps, navigate } from '../router.ts';
import { pageSecrets } from '../secrets.ts';
import type { IpsecGateway, IpsecTunnel, Security } from '../types.ts';
import { download, ErrorBox, Field, Loading, otherErrors, Select, useLoad, useSubmit } from '../ui.tsx';

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
interface SecurityDraft { diffieHellmanGroup: string; encryptionAlgorithm: string; integrityAlgorithm: string; lifetime: string }
const securityDraft = (s: Security | undefined): SecurityDraft => ({
  diffieHellmanGroup: s?.diffieHellmanGroup ?? '', encryptionAlgorithm: s?.encryptionAlgorithm ?? '', integrityAlgorithm: s?.integrityAlgorithm ?? '',
  lifetime: s?.lifetime ? String(s.lifetime) : '',
});
const securityBody = (d: SecurityDraft) => ({
  ...(d.diffieHellmanGroup ? { diffieHellmanGroup: d.diffieHellmanGroup } : {}), ...(d.encryptionAlgorithm ? { encryptionAlgorithm: d.encryptionAlgorithm } : {}),
  ...(d.integrityAlgorithm ? { integrityAlgorithm: d.integrityAlgorithm } : {}), ...(d.lifetime ? { lifetime: Number(d.lifetime) } : {}),
});

function SecurityFields({ which, value, onInput, error }: { which: 'ike' | 'esp'; value: SecurityDraft; onInput: (d: SecurityDraft) => void; error?: string | undefined }) {
  const set = (key: keyof SecurityDraft) => (v: string) => onInput({ ...value, [key]: v });
  return (
    <fieldset data-field={which} class={error ? 'invalid' : ''}>
      <legend>{which.toUpperCase()} proposal</legend>
      <div class="grid2">
        <Select name={`${which}-dh`} label="Diffie-Hellman group" value={value.diffieHellmanGroup} options={['', ...DH_GROUPS]} onInput={set('diffieHellmanGroup')} />
        <Select name={`${which}-enc`} label="Encryption" value={value.encryptionAlgorithm} options={['', ...ENCRYPTIONS]} onInput={set('encryptionAlgorithm')} />
        <Select name={`${which}-int`} label="Integrity (ignored with GCM/CCM)" value={value.integrityAlgorithm} options={['', ...INTEGRITIES]} onInput={set('integrityAlgorithm')} />
        <Field name={`${which}-lifetime`} label="Lifetime (s, 3600-86400)" type="number" value={value.lifetime} onInput={set('lifetime')} />
      </div>
      {error ? <small class="field-error" role="alert">{error}</small> : null}
    </fieldset>
  );
}

function RemoteConfig({ gateway, tunnel }: { gateway: IpsecGateway; tunnel: IpsecTunnel }) {
  const [psk, setPsk] = useState(pageSecrets.get(tunnel.id) ?? '');
  const [error, setError] = useState<string>();
  const save = () => {
    try {
      const t = tunnel.properties;
      const text = renderSwanctlClientConfig({
        gatewayId: gateway.id, gatewayIP: gateway.properties.gatewayIP, psk,
        tunnel: { id: tunnel.id, remoteHost: t.remoteHost, ike: t.ike, esp: t.esp, cloudNetworkCIDRs: t.cloudNetworkCIDRs, peerNetworkCIDRs: t.peerNetworkCIDRs },
      });
      download(`vpngw-${tunnel.id}.swanctl.conf`, text);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="remote-title">
      <h2 id="remote-title">Remote site configuration</h2>
      <p class="muted">A strongSwan swanctl.conf for {tunnel.properties.remoteHost}. The API never returns the PSK: type it here; it is not sent anywhere.</p>
      <form onSubmit={(e) => { e.preventDefault(); save(); }}>
        <Field name="remotePsk" label="Pre-shared key" type="password" required value={psk} onInput={setPsk} error={error} />
        <button type="submit" class="primary" disabled={!psk}>Download swanctl.conf</button>
      </form>
    </section>
  );
}

export function TunnelPage({ gatewayId, tunnelId }: { gatewayId: string; tunnelId?: string | undefined }) {
  const base = `/ipsecgateways/${encodeURIComponent(gatewayId)}`;
  const state = useLoad(async () => {
    const [gateway, tunnel] = await Promise.all([
      api<IpsecGateway>('GET', base), tunnelId ? api<IpsecTunnel>('GET', `${base}/tunnels/${encodeURIComponent(tunnelId)}`) : Promise.resolve(undefined),
    ]);
    return { gateway, tunnel };
  }, [base, tunnelId]);
  const [draft, setDraft] = useState({ name: '', description: '', remoteHost: '', psk: '', cloud: '', peer: '' });
  const [ike, setIke] = useState(securityDraft(undefined));
  const [esp, setEsp] = useState(securityDraft(undefined));
  useEffect(() => {
    const t = state.data?.tunnel?.properties;
    if (!t) return;
    setDraft({ name: t.name, description: t.description ?? '', remoteHost: t.remoteHost, psk: '', cloud: t.cloudNetworkCIDRs.join(', '), peer: t.peerNetworkCIDRs.join(', ') });
    setIke(securityDraft(t.ike));
    setEsp(securityDraft(t.esp));
  }, [state.data]);
  const { errors, busy, submit } = useSubmit(async () => {
    const properties = {
      name: draft.name, ...(draft.description ? { description: draft.description } : {}), remoteHost: draft.remoteHost.trim(),
      auth: { method: 'PSK', ...(draft.psk ? { psk: { key: draft.psk } } : {}) }, ike: securityBody(ike), esp: securityBody(esp),
      cloudNetworkCIDRs: list(draft.cloud), peerNetworkCIDRs: list(draft.peer),
    };
    const saved = await api<IpsecTunnel>(tunnelId ? 'PUT' : 'POST', tunnelId ? `${base}/tunnels/${encodeURIComponent(tunnelId)}` : `${base}/tunnels`, { properties });
    if (draft.psk) pageSecrets.set(saved.id, draft.psk);
    if (tunnelId) await state.reload();
    else navigate(`/ipsec/${gatewayId}/tunnels/${saved.id}`, true);
  });
  if (!state.data) return state.error ? <ErrorBox error={state.error} /> : <Loading what="the tunnel" />;
  const { gateway, tunnel } = state.data;
  const set = (key: keyof typeof draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><a {...linkProps('/')}>Gateways</a> › <a {...linkProps(`/ipsec/${gatewayId}`)}>{gateway.properties.name}</a> › {tunnel ? tunnel.properties.name : 'New tunnel'}</nav>
      <h1>{tunnel ? tunnel.properties.name : 'New tunnel'}</h1>
      {tunnel ? <p class="muted">IKE: {proposalWords(tunnel.properties.ike)} · ESP: {proposalWords(tunnel.properties.esp)}</p> : null}
      <div class="columns">
        <form onSubmit={submit} class="card form" noValidate aria-label="Tunnel">
          <Field name="name" label="Name" required value={draft.name} onInput={set('name')} error={errors.name} />
          <Field name="description" label="Description" multiline value={draft.description} onInput={set('description')} error={errors.description} />
          <Field name="remoteHost" label="Remote host" required value={draft.remoteHost} onInput={set('remoteHost')} error={errors.remoteHost} hint="IPv4 address or fully qualified domain name of the remote site." />
          <Field name="psk" label="Pre-shared key" type="password" required={!tunnel} value={draft.psk} onInput={set('psk')} error={errors.auth}
            hint={tunnel ? 'Leave empty to keep the current key.' : 'At least 8 characters; the API never returns it.'} />
          <Field name="cloudNetworkCIDRs" label="Cloud networks" required value={draft.cloud} onInput={set('cloud')} error={errors.cloudNetworkCIDRs} hint="CIDRs on the gateway side, separated by commas." />
          <Field name="peerNetworkCIDRs" label="Peer networks" required value={draft.peer} onInput={set('peer')} error={errors.peerNetworkCIDRs} hint="CIDRs on the remote side." />
          <SecurityFields which="ike" value={ike} onInput={setIke} error={errors.ike} />
          <SecurityFields which="esp" value={esp} onInput={setEsp} error={errors.esp} />
          <ErrorBox error={otherErrors(errors, ['name', 'description', 'remoteHost', 'auth', 'cloudNetworkCIDRs', 'peerNetworkCIDRs', 'ike', 'esp'])} />
          <div class="actions">
            <a class="button" {...linkProps(`/ipsec/${gatewayId}`)}>Back</a>
            <button type="submit" class="primary" disabled={busy}>{tunnel ? 'Save' : 'Create tunnel'}</button>
          </div>
        </form>
        {tunnel ? <RemoteConfig key={tunnel.id} gateway={gateway} tunnel={tunnel} /> : null}
      </div>
    </section>
  );
}
