import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import { nextFreeHostAddress } from '../../../src/domain/next-free-address.ts';
import { renderWireguardClientConfig, type ClientGatewayView } from '../../../src/render/client-wireguard-config.ts';
import { api } from '../api.ts';
import { generateKeyPair, publicKeyOf } from '../keys.ts';
import { linkProps, navigate } from '../router.ts';
import { pageSecrets } from '../secrets.ts';
import type { WireguardGateway, WireguardPeer, WireguardPeerList } from '../types.ts';
import { download, ErrorBox, Field, Loading, otherErrors, useLoad, useSubmit } from '../ui.tsx';

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** wg-quick names the interface after the file: at most 15 of [A-Za-z0-9_=+.-]. */
export const confName = (name: string) => `${name.replace(/[^A-Za-z0-9_=+.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 15) || 'wg0'}.conf`;

function ClientConfig({ gateway, peer }: { gateway: WireguardGateway; peer: WireguardPeer }) {
  const [privateKey, setPrivateKey] = useState(pageSecrets.get(peer.id) ?? '');
  const [dns, setDns] = useState('');
  const [config, setConfig] = useState<string>();
  const [error, setError] = useState<string>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const show = async () => {
    setError(undefined);
    setConfig(undefined);
    try {
      if ((await publicKeyOf(privateKey)) !== peer.properties.publicKey) throw new Error('This private key does not belong to the peer: its public key differs from the peer\'s.');
      pageSecrets.set(peer.id, privateKey.trim());
      setConfig(renderWireguardClientConfig({
        gateway: { ...(gateway.properties as unknown as ClientGatewayView), id: gateway.id, publicKey: gateway.metadata.publicKey ?? '' },
        peer: { ...peer.properties, id: peer.id }, privateKey: privateKey.trim(), ...(list(dns).length ? { dns: list(dns) } : {}),
      }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => { if (privateKey) void show(); }, []); // the key generated with the peer: show it at once
  useEffect(() => {
    if (config && canvas.current) void QRCode.toCanvas(canvas.current, config, { errorCorrectionLevel: 'L', margin: 2, scale: 4 });
  }, [config]);
  return (
    <section class="card" aria-labelledby="config-title">
      <h2 id="config-title">Client configuration</h2>
      <p class="muted">Made in this page from the peer's private key, which is never sent anywhere.</p>
      <form onSubmit={(e) => { e.preventDefault(); void show(); }}>
        <Field name="clientPrivateKey" label="The peer's private key" type="password" value={privateKey} onInput={setPrivateKey} error={error} />
        <Field name="dns" label="DNS servers (optional)" value={dns} onInput={setDns} placeholder="10.7.0.1" />
        <button type="submit">Show configuration</button>
      </form>
      {config ? (
        <div class="config">
          <canvas ref={canvas} id="peer-qr" aria-label="QR code of the configuration, for the WireGuard mobile app" />
          <div>
            <pre id="peer-config">{config.replace(/^PrivateKey = .*$/m, 'PrivateKey = (hidden; in the download and the QR code)')}</pre>
            <button type="button" class="primary" onClick={() => download(confName(peer.properties.name), config)}>Download .conf</button>
          </div>
        </div>
      ) : null}
    </section>
  );
}

export function PeerPage({ gatewayId, peerId }: { gatewayId: string; peerId?: string | undefined }) {
  const base = `/wireguardgateways/${encodeURIComponent(gatewayId)}`;
  const state = useLoad(async () => {
    const [gateway, peer, peers] = await Promise.all([
      api<WireguardGateway>('GET', base),
      peerId ? api<WireguardPeer>('GET', `${base}/peers/${encodeURIComponent(peerId)}`) : Promise.resolve(undefined),
      peerId ? Promise.resolve(undefined) : api<WireguardPeerList>('GET', `${base}/peers?limit=1000`),
    ]);
    return { gateway, peer, peers };
  }, [base, peerId]);
  const [draft, setDraft] = useState({ name: '', description: '', allowedIPs: '', host: '', port: '', publicKey: '' });
  const [generated, setGenerated] = useState<string>();
  useEffect(() => {
    const d = state.data;
    if (!d) return;
    const p = d.peer?.properties;
    const interfaces = [d.gateway.properties.interfaceIPv4CIDR, d.gateway.properties.interfaceIPv6CIDR].filter((c): c is string => Boolean(c));
    const used = d.peers?.items.flatMap((x) => x.properties.allowedIPs) ?? [];
    const suggested = interfaces.map((c) => nextFreeHostAddress(c, used)).filter(Boolean).join(', ');
    setDraft({
      name: p?.name ?? '', description: p?.description ?? '', allowedIPs: p ? p.allowedIPs.join(', ') : suggested,
      host: p?.endpoint?.host ?? '', port: p?.endpoint?.port ? String(p.endpoint.port) : '', publicKey: p?.publicKey ?? '',
    });
  }, [state.data]);
  const { errors, busy, submit } = useSubmit(async () => {
    const properties = {
      name: draft.name, ...(draft.description ? { description: draft.description } : {}), allowedIPs: list(draft.allowedIPs), publicKey: draft.publicKey.trim(),
      ...(draft.host.trim() ? { endpoint: { host: draft.host.trim(), ...(draft.port ? { port: Number(draft.port) } : {}) } } : {}),
    };
    const saved = await api<WireguardPeer>(peerId ? 'PUT' : 'POST', peerId ? `${base}/peers/${encodeURIComponent(peerId)}` : `${base}/peers`, { properties });
    if (generated) pageSecrets.set(saved.id, generated);
    if (peerId) await state.reload();
    else navigate(`/wireguard/${gatewayId}/peers/${saved.id}`, true);
  });
  if (!state.data) return state.error ? <ErrorBox error={state.error} /> : <Loading what="the peer" />;
  const { gateway, peer } = state.data;
  const set = (key: keyof typeof draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><a {...linkProps('/')}>Gateways</a> › <a {...linkProps(`/wireguard/${gatewayId}`)}>{gateway.properties.name}</a> › {peer ? peer.properties.name : 'New peer'}</nav>
      <h1>{peer ? peer.properties.name : 'New peer'}</h1>
      <div class="columns">
        <form onSubmit={submit} class="card form" noValidate aria-label="Peer">
          <Field name="name" label="Name" required value={draft.name} onInput={set('name')} error={errors.name} />
          <Field name="description" label="Description" multiline value={draft.description} onInput={set('description')} error={errors.description} />
          <Field name="allowedIPs" label="Allowed IPs" required value={draft.allowedIPs} onInput={set('allowedIPs')} error={errors.allowedIPs}
            hint="The peer's addresses in the tunnel (and networks behind it), separated by commas." />
          <fieldset data-field="endpoint" class={errors.endpoint ? 'invalid' : ''}>
            <legend>Endpoint (leave empty for a roaming client)</legend>
            <div class="grid2">
              <Field name="endpointHost" label="Host" value={draft.host} onInput={set('host')} placeholder="198.51.100.7" />
              <Field name="endpointPort" label="Port" type="number" value={draft.port} onInput={set('port')} placeholder="51820" />
            </div>
            {errors.endpoint ? <small class="field-error" role="alert">{errors.endpoint}</small> : null}
          </fieldset>
          <Field name="publicKey" label="Public key" required value={draft.publicKey} onInput={(v) => { set('publicKey')(v); setGenerated(undefined); }} error={errors.publicKey}
            hint={generated ? 'Generated here with its private key, which stays in this page.' : 'Paste the client\'s public key, or generate a key pair here.'}>
            <button type="button" onClick={async () => { const pair = await generateKeyPair(); setGenerated(pair.privateKey); set('publicKey')(pair.publicKey); }}>Generate key pair</button>
          </Field>
          <ErrorBox error={otherErrors(errors, ['name', 'description', 'allowedIPs', 'endpoint', 'publicKey'])} />
          <div class="actions">
            <a class="button" {...linkProps(`/wireguard/${gatewayId}`)}>Back</a>
            <button type="submit" class="primary" disabled={busy}>{peer ? 'Save' : 'Create peer'}</button>
          </div>
        </form>
        {peer ? <ClientConfig key={peer.id} gateway={gateway} peer={peer} /> : null}
      </div>
    </section>
  );
}
