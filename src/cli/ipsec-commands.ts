import { renderSwanctlClientConfig, type SwanctlClientConfigInput } from '../render/client-swanctl-config.ts';
import type { CommandGroup, OptionSpec, OptionValues } from './command.ts';
import { gatewayStatusCommand } from './live-status.ts';
import { applyGatewayOptions, GATEWAY_OPTIONS, GATEWAY_OPTIONS_HELP, integerOption, listOption, setPath, str } from './property-options.ts';
import { resourceCommands, type ResourceDefinition } from './resource-commands.ts';
import { readSecretFile, UsageError } from './secret-input.ts';

type Properties = Record<string, unknown>;

export const ipsecGateway: ResourceDefinition = {
  noun: 'IPSec gateway',
  parentArgs: [],
  idArg: 'gatewayId',
  collectionPath: () => '/ipsecgateways',
  columns: [
    { header: 'ID', value: (g) => g.id },
    { header: 'NAME', value: (g) => g.properties?.name },
    { header: 'GATEWAY IP', value: (g) => g.properties?.gatewayIP },
    { header: 'VERSION', value: (g) => g.properties?.version },
    { header: 'STATUS', value: (g) => g.metadata?.status },
    { header: 'MESSAGE', value: (g) => g.metadata?.statusMessage },
  ],
  options: { ...GATEWAY_OPTIONS, version: { type: 'string' } },
  optionsHelp: `${GATEWAY_OPTIONS_HELP} --version IKEv2`,
  applyOptions(base, values) {
    const properties = applyGatewayOptions(base, values);
    setPath(properties, 'version', str(values, 'version'));
    return properties;
  },
};

const securityOptions = (prefix: 'ike' | 'esp'): Record<string, OptionSpec> => ({
  [`${prefix}-dh-group`]: { type: 'string' },
  [`${prefix}-encryption`]: { type: 'string' },
  [`${prefix}-integrity`]: { type: 'string' },
  [`${prefix}-lifetime`]: { type: 'string' },
});

function applySecurity(properties: Properties, values: OptionValues, prefix: 'ike' | 'esp') {
  setPath(properties, `${prefix}.diffieHellmanGroup`, str(values, `${prefix}-dh-group`));
  setPath(properties, `${prefix}.encryptionAlgorithm`, str(values, `${prefix}-encryption`));
  setPath(properties, `${prefix}.integrityAlgorithm`, str(values, `${prefix}-integrity`));
  setPath(properties, `${prefix}.lifetime`, integerOption(values, `${prefix}-lifetime`));
}

function tunnelProperties(base: Properties, values: OptionValues): Properties {
  const properties: Properties = { ike: {}, esp: {}, ...base };
  setPath(properties, 'name', str(values, 'name'));
  setPath(properties, 'description', str(values, 'description'));
  setPath(properties, 'remoteHost', str(values, 'remote-host'));
  setPath(properties, 'cloudNetworkCIDRs', listOption(values, 'cloud-network-cidrs'));
  setPath(properties, 'peerNetworkCIDRs', listOption(values, 'peer-network-cidrs'));
  applySecurity(properties, values, 'ike');
  applySecurity(properties, values, 'esp');
  const pskFile = str(values, 'psk-file');
  if (pskFile) setPath(properties, 'auth', { method: 'PSK', psk: { key: readSecretFile(pskFile, 'pre-shared key') } });
  return properties;
}

const tunnelsPath = (gatewayId: string) => `/ipsecgateways/${encodeURIComponent(gatewayId)}`;

export const ipsecTunnel: ResourceDefinition = {
  noun: 'IPSec tunnel',
  parentArgs: ['gatewayId'],
  idArg: 'tunnelId',
  collectionPath: ([gatewayId = '']) => `${tunnelsPath(gatewayId)}/tunnels`,
  gatewayPath: ([gatewayId = '']) => tunnelsPath(gatewayId),
  columns: [
    { header: 'ID', value: (t) => t.id },
    { header: 'NAME', value: (t) => t.properties?.name },
    { header: 'REMOTE HOST', value: (t) => t.properties?.remoteHost },
    { header: 'CLOUD NETWORKS', value: (t) => t.properties?.cloudNetworkCIDRs },
    { header: 'PEER NETWORKS', value: (t) => t.properties?.peerNetworkCIDRs },
    { header: 'STATUS', value: (t) => t.metadata?.status },
  ],
  options: {
    name: { type: 'string' },
    description: { type: 'string' },
    'remote-host': { type: 'string' },
    'cloud-network-cidrs': { type: 'string', multiple: true },
    'peer-network-cidrs': { type: 'string', multiple: true },
    'psk-file': { type: 'string' },
    ...securityOptions('ike'),
    ...securityOptions('esp'),
    'from-file': { type: 'string' },
  },
  optionsHelp: '--name --description --remote-host --cloud-network-cidrs CIDR,... --peer-network-cidrs CIDR,... --psk-file FILE|- '
    + '--ike-dh-group --ike-encryption --ike-integrity --ike-lifetime --esp-dh-group --esp-encryption --esp-integrity --esp-lifetime --from-file body.json',
  applyOptions: tunnelProperties,
};

type Read = { id: string; properties: Properties };

const tunnelConfig: CommandGroup[string] = {
  summary: 'Print a strongSwan swanctl.conf for the remote site of the tunnel (the PSK, which the API never returns, is read from a file).',
  args: ['gatewayId', 'tunnelId'],
  options: { 'psk-file': { type: 'string' } },
  optionsHelp: '--psk-file FILE|-',
  async run(ctx, values, [gatewayId = '', tunnelId = '']) {
    const pskFile = str(values, 'psk-file');
    if (!pskFile) throw new UsageError('--psk-file FILE (or - for standard input) is required: the API never returns the pre-shared key');
    const psk = readSecretFile(pskFile, 'pre-shared key');
    const gateway = await ctx.client.get<Read>(tunnelsPath(gatewayId));
    const tunnel = await ctx.client.get<Read>(`${tunnelsPath(gatewayId)}/tunnels/${encodeURIComponent(tunnelId)}`);
    ctx.out(renderSwanctlClientConfig({
      gatewayId: gateway.id,
      gatewayIP: String(gateway.properties.gatewayIP),
      tunnel: { ...(tunnel.properties as unknown as SwanctlClientConfigInput['tunnel']), id: tunnel.id },
      psk,
    }));
  },
};

/** `vpngw ipsec gateway|tunnel ...`. */
export const ipsecGroups: Record<string, CommandGroup> = {
  gateway: { ...resourceCommands(ipsecGateway), status: gatewayStatusCommand('ipsec') },
  tunnel: { ...resourceCommands(ipsecTunnel), config: tunnelConfig },
};
