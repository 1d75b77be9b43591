import type { Security } from '../schemas/ipsec.ts';
import { espProposal, ikeProposal } from './ipsec-proposals.ts';
import { block, rekeyTime, safe, SWANCTL_VALUE } from './safe-values.ts';

/** A tunnel as the API returns it, with the gateway's address and the PSK the user keeps. */
export interface SwanctlClientConfigInput {
  gatewayId: string;
  gatewayIP: string;
  tunnel: {
    id: string;
    remoteHost: string;
    ike: Security;
    esp: Security;
    cloudNetworkCIDRs: string[];
    peerNetworkCIDRs: string[];
  };
  psk: string;
}

/** Base64 of the UTF-8 bytes, with what both Node and a browser have (the web console renders this too). */
const utf8Base64 = (text: string) => btoa(Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join(''));

const isIpv4 = (s: string) => /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(s);
const cidrs = (field: string, list: string[]) => list.map((c) => safe(field, c, SWANCTL_VALUE)).join(',');

function childLines(input: SwanctlClientConfigInput, name: string): string[] {
  const t = input.tunnel;
  return block(name, [
    // Mirror image of the gateway's child: our networks are its peer networks.
    `local_ts = ${cidrs('peer network CIDR', t.peerNetworkCIDRs)}`,
    `remote_ts = ${cidrs('cloud network CIDR', t.cloudNetworkCIDRs)}`,
    `esp_proposals = ${espProposal(t.esp)}`,
    `rekey_time = ${rekeyTime(t.esp)}s`,
    `life_time = ${t.esp.lifetime}s`,
    'start_action = start',
    'dpd_action = restart',
    'close_action = start',
  ]);
}

function connectionLines(input: SwanctlClientConfigInput, name: string): string[] {
  const t = input.tunnel;
  const gatewayIP = safe('gateway IP', input.gatewayIP, SWANCTL_VALUE);
  const self = safe('remote host', t.remoteHost, SWANCTL_VALUE);
  const rekey = rekeyTime(t.ike);
  return block(name, [
    'version = 2',
    // An FQDN remote host is only an identity here; the site may sit behind any address.
    ...(isIpv4(self) ? [`local_addrs = ${self}`] : []),
    `remote_addrs = ${gatewayIP}`,
    `proposals = ${ikeProposal(t.ike)}`,
    `rekey_time = ${rekey}s`,
    `over_time = ${t.ike.lifetime - rekey}s`,
    'dpd_delay = 30s',
    // Both sites may initiate at once: keep one IKE_SA per peer, so the two sides agree on the SAs in use.
    'unique = replace',
    ...block('local', ['auth = psk', `id = ${self}`]),
    ...block('remote', ['auth = psk', `id = ${gatewayIP}`]),
    ...block('children', childLines(input, name)),
  ]);
}

/**
 * The remote site's swanctl.conf for one tunnel: it initiates to the gateway with the same
 * proposals, networks mirrored, and the PSK in strongSwan's base64 form (no byte can break out).
 */
export function renderSwanctlClientConfig(input: SwanctlClientConfigInput): string {
  const name = `vpngw-${safe('tunnel id', input.tunnel.id, SWANCTL_VALUE)}`;
  const secret = block(`ike-${name}`, [
    `id-local = ${safe('remote host', input.tunnel.remoteHost, SWANCTL_VALUE)}`,
    `id-remote = ${safe('gateway IP', input.gatewayIP, SWANCTL_VALUE)}`,
    `secret = 0s${utf8Base64(input.psk)}`,
  ]);
  const lines = [
    `# IPSec gateway ${safe('gateway id', input.gatewayId, SWANCTL_VALUE)}, tunnel ${input.tunnel.id}: the remote site's side`,
    '# Load it with: swanctl --load-all --file <this file>',
    ...block('connections', connectionLines(input, name)),
    '',
    ...block('secrets', secret),
  ];
  return `${lines.join('\n')}\n`;
}
