import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentSession, logOut, onSessionChange } from './api.ts';
import { Admin } from './pages/admin.tsx';
import { IpsecGatewayPage } from './pages/ipsec-gateway.tsx';
import { GatewayForm } from './pages/gateway-form.tsx';
import { Login } from './pages/login.tsx';
import { Overview } from './pages/overview.tsx';
import { PeerPage } from './pages/peer.tsx';
import { TunnelPage } from './pages/tunnel.tsx';
import { WireguardGatewayPage } from './pages/wireguard-gateway.tsx';
import { linkProps, match, usePath } from './router.ts';
import './style.css';

function Page({ path }: { path: string }) {
  let p: Record<string, string> | undefined;
  if (path === '/') return <Overview />;
  if ((p = match('/:kind/new', path)) && (p.kind === 'wireguard' || p.kind === 'ipsec')) return <GatewayForm kind={p.kind} />;
  if ((p = match('/:kind/:id/edit', path)) && (p.kind === 'wireguard' || p.kind === 'ipsec')) return <GatewayForm kind={p.kind} id={p.id} />;
  if ((p = match('/wireguard/:id', path))) return <WireguardGatewayPage id={p.id ?? ''} />;
  if ((p = match('/wireguard/:id/peers/:peerId', path))) return <PeerPage gatewayId={p.id ?? ''} peerId={p.peerId === 'new' ? undefined : p.peerId} />;
  if ((p = match('/ipsec/:id', path))) return <IpsecGatewayPage id={p.id ?? ''} />;
  if ((p = match('/ipsec/:id/tunnels/:tunnelId', path))) return <TunnelPage gatewayId={p.id ?? ''} tunnelId={p.tunnelId === 'new' ? undefined : p.tunnelId} />;
  if ((p = match('/admin/:section', path))) return <Admin section={p.section ?? ''} />;
  if (path === '/admin') return <Admin section="users" />;
  return <section><h1>Not found</h1><p>No console page at this address. <a {...linkProps('/')}>Back to the gateways</a></p></section>;
}

function App() {
  const [session, setSession] = useState(currentSession());
  const path = usePath();
  useEffect(() => onSessionChange(() => setSession(currentSession())), []);
  const firstPath = useRef(path);
  useEffect(() => {
    // After an in-page navigation, keyboard and screen-reader users continue at the new page's content.
    if (path !== firstPath.current) document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  useEffect(() => {
    document.title = session ? 'vpngw console' : 'Sign in · vpngw console';
  }, [session]);
  if (!session) return <Login />;
  const current = (prefix: string) => (path === prefix || (prefix !== '/' && path.startsWith(prefix)) ? 'page' : undefined);
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" {...linkProps('/')}>vpngw</a>
        <nav aria-label="Main">
          <a {...linkProps('/')} aria-current={current('/')}>Gateways</a>
          {session.administrator ? <a {...linkProps('/admin/users')} aria-current={current('/admin')}>Administration</a> : null}
        </nav>
        <span class="who" title={session.email}>{session.email}</span>
        <button type="button" onClick={() => void logOut()}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}><Page path={path} /></main>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
