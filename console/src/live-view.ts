// What the console says about a gateway's live state: pure decisions, rendered by the pages and tested apart.
// On one box /status is asked of the data plane now (observedAt now, hostConnected true); in a fleet it is
// what the gateway host's agent last sent: null fields until its first send, and the host may be silent.
import { bytes, dateTime, isRecent, timeAgo } from './format.ts';
import type { IpsecLive, LiveFreshness, WireguardLive } from './types.ts';

export const NOT_REPORTED_YET = 'not reported yet';
export const NO_DATA_PLANE = 'live state not reported by this data plane';
export const HOST_NOT_CONNECTED = 'host not connected';
export const NO_HOST = 'no host runs this gateway';

/** An observation this recent reads as "now": nothing is said about its age (one box is always now). */
export const FRESH_MS = 10_000;

/** The line about where the live state comes from, or null when there is nothing to add (fresh, from a connected host). */
export interface LiveSource {
  /** A marker for a host that no longer calls in, or for a gateway no host runs. */
  marker?: typeof HOST_NOT_CONNECTED | typeof NO_HOST;
  /** "observed 2 minutes ago", with the absolute time apart for a tooltip. */
  observed?: string;
  observedAt?: string;
  note?: string;
}

export function liveSource(live: { properties: LiveFreshness } | null, now = Date.now()): LiveSource | null {
  if (!live) return null;
  const { observedAt, hostConnected, note } = live.properties;
  const marker = hostConnected === false ? HOST_NOT_CONNECTED : hostConnected === null ? NO_HOST : undefined;
  const old = Boolean(observedAt) && now - Date.parse(observedAt ?? '') >= FRESH_MS;
  if (!marker && !old && !note) return null;
  return {
    ...(marker ? { marker } : {}),
    // A connected host sends every change within seconds: what it sent last is still what it sees.
    ...(observedAt ? { observed: `${hostConnected === true ? 'unchanged since' : 'observed'} ${timeAgo(observedAt, now)}`, observedAt: dateTime(observedAt) } : {}),
    ...(note ? { note } : {}),
  };
}

/** Nothing received from a host yet (or no host runs the gateway): every observed field is unknown. */
const unreported = (live: { properties: LiveFreshness }) => live.properties.observedAt === null || live.properties.hostConnected === null;

/** The "Data plane" row of a WireGuard gateway. */
export function wireguardDataPlane(live: WireguardLive | null): string {
  if (!live) return NO_DATA_PLANE;
  const present = live.properties.interfacePresent;
  if (unreported(live) || present === null) return NOT_REPORTED_YET;
  return present ? 'interface up' : 'interface missing';
}

/** The "Data plane" row of an IPSec gateway. */
export function ipsecDataPlane(live: IpsecLive | null): string {
  if (!live) return NO_DATA_PLANE;
  const running = live.properties.charonRunning;
  if (unreported(live) || running === null) return NOT_REPORTED_YET;
  return running ? 'charon running' : 'charon not running';
}

export interface Cell { text: string; ok: boolean }
type PeerSession = WireguardLive['properties']['peers'][number];
type TunnelSa = IpsecLive['properties']['tunnels'][number];

/** A peer's latest handshake; green only while it is recent and the host still reports (a silent host's is its last word). */
export function handshakeCell(live: WireguardLive | null, session: PeerSession | undefined, now = Date.now()): Cell {
  if (!live) return { text: 'not reported', ok: false };
  if (unreported(live) || session?.configured === null) return { text: NOT_REPORTED_YET, ok: false };
  return { text: timeAgo(session?.latestHandshake, now), ok: live.properties.hostConnected === true && isRecent(session?.latestHandshake, now) };
}

/** A peer's bytes received / sent. */
export function transferCell(live: WireguardLive | null, session: PeerSession | undefined): string {
  if (live && unreported(live)) return NOT_REPORTED_YET;
  if (!session || session.transferRxBytes === null || session.transferTxBytes === null) return '—';
  return `${bytes(session.transferRxBytes)} / ${bytes(session.transferTxBytes)}`;
}

/** A tunnel's SA state and bytes. */
export function saCell(live: IpsecLive | null, sa: TunnelSa | undefined): Cell {
  if (live && unreported(live)) return { text: NOT_REPORTED_YET, ok: false };
  if (!sa || sa.ikeEstablished === null || sa.bytesIn === null || sa.bytesOut === null) return { text: 'not reported', ok: false };
  const up = sa.ikeEstablished && sa.childEstablished === true;
  return { text: `${up ? 'established' : sa.ikeState ?? 'down'} · ${bytes(sa.bytesIn)} in / ${bytes(sa.bytesOut)} out`, ok: up && live?.properties.hostConnected === true };
}

/** Peers with a recent handshake, tunnels with IKE and CHILD SAs established, as the state last reported has them. */
export const healthyPeers = (live: WireguardLive, now = Date.now()) => live.properties.peers.filter((p) => isRecent(p.latestHandshake, now)).length;
export const establishedTunnels = (live: IpsecLive) => live.properties.tunnels.filter((t) => t.ikeEstablished === true && t.childEstablished === true).length;

export interface HealthCell { text: string; title?: string; tone: 'plain' | 'muted' | 'warn' }

/** The overview's health column: "healthy / all", or why there is no count. */
export function healthCell(live: WireguardLive | IpsecLive | null, healthy: number, children: number): HealthCell {
  if (!live) return { text: 'not reported', title: 'This data plane reports no live sessions', tone: 'muted' };
  const { hostConnected, observedAt, note } = live.properties;
  const title = note ? { title: note } : {};
  if (hostConnected === null) return { text: NO_HOST, tone: 'warn', ...title };
  if (hostConnected === false) return { text: `${HOST_NOT_CONNECTED}${observedAt ? ` (last: ${healthy} / ${children})` : ''}`, tone: 'warn', ...title };
  if (observedAt === null) return { text: NOT_REPORTED_YET, tone: 'muted', ...title };
  return { text: `${healthy} / ${children}`, tone: 'plain' };
}
