import type { DesiredIpsecGateway, DesiredIpsecTunnel } from '../domain/desired-state.ts';
import { espProposal, ikeProposal } from './ipsec-proposals.ts';
import { block, rekeyTime, safe, SWANCTL_VALUE } from './safe-values.ts';

function seconds(field: string, value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new Error(`refusing to render an invalid ${field}`);
  return `${value}s`;
}

/** Joins per-tunnel blocks with a blank line between them, for a readable file. */
function separated(blocks: string[][]): string[] {
  return blocks.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines]));
}

function childLines(t: DesiredIpsecTunnel, name: string): string[] {
  return block(name, [
    `local_ts = ${t.cloudNetworkCIDRs.map((c) => safe('cloud network CIDR', c, SWANCTL_VALUE)).join(',')}`,
    `remote_ts = ${t.peerNetworkCIDRs.map((c) => safe('peer network CIDR', c, SWANCTL_VALUE)).join(',')}`,
    `esp_proposals = ${espProposal(t.esp)}`,
    `rekey_time = ${seconds('ESP rekey time', rekeyTime(t.esp))}`,
    `life_time = ${seconds('ESP lifetime', t.esp.lifetime)}`,
    'start_action = trap',
    'dpd_action = restart',
    'close_action = trap',
  ]);
}

/** The swanctl connection (and CHILD_SA) name of a tunnel: the one place it is spelled. */
export function tunnelConnectionName(tunnelId: string): string {
  return `t-${safe('tunnel id', tunnelId, SWANCTL_VALUE)}`;
}

function connectionLines(gatewayIP: string, t: DesiredIpsecTunnel): string[] {
  const name = tunnelConnectionName(t.id);
  const remoteHost = safe('remote host', t.remoteHost, SWANCTL_VALUE);
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
  return block(`ike-${safe('tunnel id', t.id, SWANCTL_VALUE)}`, [
    `id-local = ${gatewayIP}`,
    `id-remote = ${safe('remote host', t.remoteHost, SWANCTL_VALUE)}`,
    `secret = 0s${encoded}`,
  ]);
}

/** Renders a gateway's tunnels as swanctl.conf text: one connection and one IKE secret per tunnel. */
export function renderSwanctlConfig(gw: DesiredIpsecGateway): string {
  const gatewayIP = safe('gateway IP', gw.gatewayIP, SWANCTL_VALUE);
  const tunnels = [...gw.tunnels].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines = [
    ...block('connections', separated(tunnels.map((t) => connectionLines(gatewayIP, t)))),
    '',
    ...block('secrets', separated(tunnels.map((t) => secretLines(gatewayIP, t)))),
  ];
  return `${lines.join('\n')}\n`;
}
