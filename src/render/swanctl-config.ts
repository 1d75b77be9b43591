import type { DesiredIpsecGateway, DesiredIpsecTunnel } from '../domain/desired-state.ts';
import type { Security } from '../schemas/ipsec.ts';
import { espProposal, ikeProposal } from './ipsec-proposals.ts';

// Addresses, FQDNs, CIDRs and UUIDs never need more than this; a newline, `{`, `}` or `#`
// would let a value open a section or end one, so refuse rather than emit it.
const SAFE_VALUE = /^[A-Za-z0-9.:/_-]+$/;

function safe(field: string, value: string): string {
  if (!SAFE_VALUE.test(value)) throw new Error(`refusing to render an unsafe ${field}`);
  return value;
}

function seconds(field: string, value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new Error(`refusing to render an invalid ${field}`);
  return `${value}s`;
}

/** Rekey at 90% of the lifetime; integer arithmetic so no float rounding creeps in. */
function rekeyTime(s: Security): number {
  return Math.floor((s.lifetime * 9) / 10);
}

function block(name: string, body: string[]): string[] {
  return [`${name} {`, ...body.map((line) => (line === '' ? '' : `  ${line}`)), '}'];
}

/** Joins per-tunnel blocks with a blank line between them, for a readable file. */
function separated(blocks: string[][]): string[] {
  return blocks.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines]));
}

function childLines(t: DesiredIpsecTunnel, name: string): string[] {
  return block(name, [
    `local_ts = ${t.cloudNetworkCIDRs.map((c) => safe('cloud network CIDR', c)).join(',')}`,
    `remote_ts = ${t.peerNetworkCIDRs.map((c) => safe('peer network CIDR', c)).join(',')}`,
    `esp_proposals = ${espProposal(t.esp)}`,
    `rekey_time = ${seconds('ESP rekey time', rekeyTime(t.esp))}`,
    `life_time = ${seconds('ESP lifetime', t.esp.lifetime)}`,
    'start_action = trap',
    'dpd_action = restart',
    'close_action = trap',
  ]);
}

function connectionLines(gatewayIP: string, t: DesiredIpsecTunnel): string[] {
  const name = `t-${safe('tunnel id', t.id)}`;
  const remoteHost = safe('remote host', t.remoteHost);
  const rekey = rekeyTime(t.ike);
  return block(name, [
    'version = 2',
    `local_addrs = ${gatewayIP}`,
    `remote_addrs = ${remoteHost}`,
    `proposals = ${ikeProposal(t.ike)}`,
    `rekey_time = ${seconds('IKE rekey time', rekey)}`,
    `over_time = ${seconds('IKE over time', t.ike.lifetime - rekey)}`,
    'dpd_delay = 30s',
    // Both sites may initiate at once: keep one IKE_SA per peer, so the two sides agree on the SAs in use.
    'unique = replace',
    ...block('local', ['auth = psk', `id = ${gatewayIP}`]),
    ...block('remote', ['auth = psk', `id = ${remoteHost}`]),
    ...block('children', childLines(t, name)),
  ]);
}

function secretLines(gatewayIP: string, t: DesiredIpsecTunnel): string[] {
  // The 0s (base64) form: no PSK byte can end the value, open a section or start a comment.
  const encoded = Buffer.from(t.psk, 'utf8').toString('base64');
  return block(`ike-${safe('tunnel id', t.id)}`, [
    `id-local = ${gatewayIP}`,
    `id-remote = ${safe('remote host', t.remoteHost)}`,
    `secret = 0s${encoded}`,
  ]);
}

/** Renders a gateway's tunnels as swanctl.conf text: one connection and one IKE secret per tunnel. */
export function renderSwanctlConfig(gw: DesiredIpsecGateway): string {
  const gatewayIP = safe('gateway IP', gw.gatewayIP);
  const tunnels = [...gw.tunnels].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines = [
    ...block('connections', separated(tunnels.map((t) => connectionLines(gatewayIP, t)))),
    '',
    ...block('secrets', separated(tunnels.map((t) => secretLines(gatewayIP, t)))),
  ];
  return `${lines.join('\n')}\n`;
}
