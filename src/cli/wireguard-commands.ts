import { writeFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import QRCode from 'qrcode';
import { nextFreeHostAddress } from '../domain/next-free-address.ts';
import { generateWireguardKeyPair, wireguardPublicKey } from '../domain/wireguard-keys.ts';
import { renderWireguardClientConfig, type ClientGatewayView, type ClientPeerView } from '../render/client-wireguard-config.ts';
import type { ApiClient } from './api-client.ts';
import type { CliContext, CommandGroup, OptionValues, Subcommand } from './command.ts';
import { gatewayStatusCommand } from './live-status.ts';
import { formatJson } from './output.ts';
import {
  applyGatewayOptions, GATEWAY_OPTIONS, GATEWAY_OPTIONS_HELP, integerOption, listOption, parseEndpoint, setPath, str,
} from './property-options.ts';
import { resourceCommands, type ResourceDefinition } from './resource-commands.ts';
import { readSecretFile, UsageError } from './secret-input.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';

type Properties = Record<string, unknown>;

function gatewayProperties(base: Properties, values: OptionValues, mode: 'create' | 'update'): Properties {
  const properties = applyGatewayOptions(base, values);
  setPath(properties, 'interfaceIPv4CIDR', str(values, 'interface-ipv4-cidr'));
  setPath(properties, 'interfaceIPv6CIDR', str(values, 'interface-ipv6-cidr'));
  setPath(properties, 'listenPort', integerOption(values, 'listen-port'));
  const keyFile = str(values, 'private-key-file');
  if (keyFile) properties.privateKey = readSecretFile(keyFile, 'private key');
  if (mode === 'create' && !properties.privateKey) {
    // The gateway's private key is needed by the gateway only; clients need its public key, which the API returns.
    properties.privateKey = generateWireguardKeyPair().privateKey;
  }
  return properties;
}

export const wireguardGateway: ResourceDefinition = {
  noun: 'WireGuard gateway',
  parentArgs: [],
  idArg: 'gatewayId',
  collectionPath: () => '/wireguardgateways',
  columns: [
    { header: 'ID', value: (g) => g.id },
    { header: 'NAME', value: (g) => g.properties?.name },
    { header: 'GATEWAY IP', value: (g) => g.properties?.gatewayIP },
    { header: 'PORT', value: (g) => g.properties?.listenPort },
    { header: 'INTERFACE', value: (g) => [g.properties?.interfaceIPv4CIDR, g.properties?.interfaceIPv6CIDR].filter(Boolean) },
    { header: 'STATUS', value: (g) => g.metadata?.status },
    { header: 'PUBLIC KEY', value: (g) => g.metadata?.publicKey },
    { header: 'MESSAGE', value: (g) => g.metadata?.statusMessage },
  ],
  options: {
    ...GATEWAY_OPTIONS,
    'interface-ipv4-cidr': { type: 'string' },
    'interface-ipv6-cidr': { type: 'string' },
    'listen-port': { type: 'string' },
    'private-key-file': { type: 'string' },
  },
  optionsHelp: `${GATEWAY_OPTIONS_HELP} --interface-ipv4-cidr --interface-ipv6-cidr --listen-port `
    + '--private-key-file FILE|- (generated when left out on create)',
  applyOptions: gatewayProperties,
};

function peerProperties(base: Properties, values: OptionValues): Properties {
  const properties = { ...base };
  setPath(properties, 'name', str(values, 'name'));
  setPath(properties, 'description', str(values, 'description'));
  setPath(properties, 'allowedIPs', listOption(values, 'allowed-ips'));
  const endpoint = str(values, 'endpoint');
  if (endpoint !== undefined) properties.endpoint = endpoint === '' ? undefined : parseEndpoint(endpoint);
  const keyFile = str(values, 'public-key-file');
  setPath(properties, 'publicKey', keyFile ? readSecretFile(keyFile, 'public key') : str(values, 'public-key'));
  return properties;
}

const peerPath = (gatewayId: string) => `/wireguardgateways/${encodeURIComponent(gatewayId)}`;

type Read = { id: string; metadata?: Properties; properties: Properties };

/**
 * `--allowed-ips auto` (alone or among CIDRs): the next free /32 in the gateway's interfaceIPv4CIDR
 * and /128 in its interfaceIPv6CIDR, used by no other peer and not the gateway's own, as wg-easy and
 * wg-portal hand out. Two clients doing this at the same moment may be offered the same address.
 */
async function resolveAutoAddresses(ctx: CliContext, values: OptionValues, [gatewayId = '']: string[], ownId?: string): Promise<OptionValues> {
  const given = listOption(values, 'allowed-ips');
  if (!given?.includes('auto')) return values;
  const gateway = await ctx.client.get<Read>(peerPath(gatewayId));
  const peers = await ctx.client.get<{ items: Read[] }>(`${peerPath(gatewayId)}/peers?limit=1000`);
  const used = peers.items.filter((p) => p.id !== ownId).flatMap((p) => (p.properties.allowedIPs as string[] | undefined) ?? []);
  const networks = [gateway.properties.interfaceIPv4CIDR, gateway.properties.interfaceIPv6CIDR].filter((c): c is string => typeof c === 'string' && c !== '');
  if (networks.length === 0) throw new Error(`--allowed-ips auto: gateway ${gatewayId} has no interfaceIPv4CIDR or interfaceIPv6CIDR to take an address from`);
  const offered = networks.map((cidr) => {
    const free = nextFreeHostAddress(cidr, used);
    if (!free) throw new Error(`--allowed-ips auto: no free address is left in ${cidr}`);
    return free;
  });
  return { ...values, 'allowed-ips': given.flatMap((entry) => (entry === 'auto' ? offered : [entry])) };
}

export const wireguardPeer: ResourceDefinition = {
  noun: 'WireGuard peer',
  parentArgs: ['gatewayId'],
  idArg: 'peerId',
  collectionPath: ([gatewayId = '']) => `${peerPath(gatewayId)}/peers`,
  gatewayPath: ([gatewayId = '']) => peerPath(gatewayId),
  columns: [
    { header: 'ID', value: (p) => p.id },
    { header: 'NAME', value: (p) => p.properties?.name },
    { header: 'ALLOWED IPS', value: (p) => p.properties?.allowedIPs },
    { header: 'ENDPOINT', value: (p) => (p.properties?.endpoint ? `${p.properties.endpoint.host}:${p.properties.endpoint.port}` : '') },
    { header: 'STATUS', value: (p) => p.metadata?.status },
    { header: 'PUBLIC KEY', value: (p) => p.properties?.publicKey },
  ],
  options: {
    name: { type: 'string' },
    description: { type: 'string' },
    'allowed-ips': { type: 'string', multiple: true },
    endpoint: { type: 'string' },
    'public-key': { type: 'string' },
    'public-key-file': { type: 'string' },
    'from-file': { type: 'string' },
  },
  optionsHelp: '--name --description --allowed-ips CIDR[,CIDR] (auto: the next free address in the gateway\'s interface networks) '
    + '--endpoint host:port --public-key KEY | --public-key-file FILE --from-file body.json',
  prepare: resolveAutoAddresses,
  applyOptions: peerProperties,
};

/** `--dns 10.7.0.1 --dns 2001:db8::53` or `--dns a,b`: IP addresses only. */
function dnsOption(values: OptionValues): string[] | undefined {
  const servers = listOption(values, 'dns');
  const wrong = servers?.find((s) => !ipaddr.isValid(s) || s.includes('/'));
  if (wrong !== undefined) throw new UsageError(`--dns takes IP addresses, not "${wrong}"`);
  return servers;
}

async function peerConfigText(client: ApiClient, values: OptionValues, gatewayId: string, peerId: string) {
  const keyFile = str(values, 'private-key-file');
  if (!keyFile) throw new UsageError('--private-key-file FILE (or - for standard input) is required: the remote side\'s private key');
  const privateKey = readSecretFile(keyFile, 'private key');
  const gateway = await client.get<Read>(peerPath(gatewayId));
  const peer = await client.get<Read>(`${peerPath(gatewayId)}/peers/${encodeURIComponent(peerId)}`);
  if (wireguardPublicKey(privateKey) !== peer.properties.publicKey) {
    throw new Error(`the private key in ${keyFile} does not belong to peer ${peerId} (its public key differs from the peer's publicKey)`);
  }
  const keepalive = integerOption(values, 'keepalive');
  const dns = dnsOption(values);
  return renderWireguardClientConfig({
    gateway: { ...(gateway.properties as unknown as ClientGatewayView), id: gateway.id, publicKey: String(gateway.metadata?.publicKey ?? '') },
    peer: { ...(peer.properties as unknown as ClientPeerView), id: peer.id },
    privateKey,
    ...(listOption(values, 'address') ? { addresses: listOption(values, 'address') } : {}),
    ...(listOption(values, 'allowed-ips') ? { allowedIPs: listOption(values, 'allowed-ips') } : {}),
    ...(keepalive !== undefined ? { persistentKeepalive: keepalive } : {}),
    ...(dns ? { dns } : {}),
  });
}

const peerCommands: CommandGroup = {
  ...resourceCommands(wireguardPeer),
  config: {
    summary: 'Print a wg-quick configuration for the remote side of the peer (its private key is read from a file), or write it to --out FILE (mode 0600).',
    args: ['gatewayId', 'peerId'],
    options: {
      'private-key-file': { type: 'string' }, qr: { type: 'boolean' }, address: { type: 'string', multiple: true },
      'allowed-ips': { type: 'string', multiple: true }, keepalive: { type: 'string' }, dns: { type: 'string', multiple: true }, out: { type: 'string' },
    },
    optionsHelp: '--private-key-file FILE|- [--out FILE] [--qr] [--address CIDR] [--allowed-ips CIDR,...] [--dns IP,...] [--keepalive SECONDS (0: off)]',
    async run(ctx, values, [gatewayId = '', peerId = '']) {
      const text = await peerConfigText(ctx.client, values, gatewayId, peerId);
      const out = str(values, 'out');
      if (out) {
        writeFileAtomic(out, text); // it holds the private key: mode 0600, never a partial file
        ctx.err(`wrote ${out} (mode 0600)\n`);
      }
      if (values.qr) ctx.out(await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }));
      else if (!out) ctx.out(text);
    },
  },
};

export const wireguardKeygen: Subcommand = {
  summary: 'Make a WireGuard key pair; with --private-key-file the private key goes to that file (mode 0600) and only the public key is printed.',
  options: { 'private-key-file': { type: 'string' } },
  async run(ctx, values) {
    const keys = generateWireguardKeyPair();
    const file = str(values, 'private-key-file');
    if (file) writeFileSync(file, `${keys.privateKey}\n`, { mode: 0o600, flag: 'wx' });
    const shown = file ? { publicKey: keys.publicKey, privateKeyFile: file } : keys;
    if (ctx.output === 'json') ctx.out(formatJson(shown));
    else ctx.out(file ? `${keys.publicKey}\n` : `PrivateKey = ${keys.privateKey}\nPublicKey = ${keys.publicKey}\n`);
  },
};

/** `vpngw wireguard gateway|peer ...` (keygen is a single command, exported on its own). */
export const wireguardGroups: Record<string, CommandGroup> = {
  gateway: { ...resourceCommands(wireguardGateway), status: gatewayStatusCommand('wireguard') },
  peer: peerCommands,
};
