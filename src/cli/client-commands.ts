import { login, logout, tokenCommands } from './account-commands.ts';
import { runGroup, runSubcommand, type CommandGroup } from './command.ts';
import { ipsecGroups } from './ipsec-commands.ts';
import { groupCommands, userCommands } from './user-commands.ts';
import { wireguardGroups, wireguardKeygen } from './wireguard-commands.ts';

/** The part of `vpngw --help` that lists the client commands. */
export const CLIENT_USAGE = `  wireguard gateway list|get|create|update|delete|status  WireGuard gateways; status: live sessions
  wireguard peer list|get|create|update|delete|config  WireGuard peers; config prints (or --out writes) a wg-quick file
  wireguard keygen                                   a WireGuard key pair
  ipsec gateway list|get|create|update|delete|status  IPSec gateways; status: live IKE/CHILD SAs
  ipsec tunnel list|get|create|update|delete|config  IPSec tunnels; config prints a swanctl.conf
  login | logout                                     keep (or revoke and forget) a token
  token generate|list|revoke                         API tokens
  user list|get|create|delete                        users (administrators)
  group list|get|create|delete|users|add-user|remove-user  groups and the VPN privilege

  Run \`vpngw <command> ... --help\` for the options. They talk to the HTTP API:
  --api-url or VPNGW_API_URL / IONOS_API_URL; IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD,
  or \`vpngw login\`. --output json for scripts, --wait to block until AVAILABLE.
`;

function runNested(name: string, groups: Record<string, CommandGroup>, argv: string[], extra: Record<string, (argv: string[]) => Promise<number>> = {}): Promise<number> {
  const [noun, ...rest] = argv;
  const group = noun ? groups[noun] : undefined;
  if (group) return runGroup(`${name} ${noun}`, group, rest);
  const single = noun ? extra[noun] : undefined;
  if (single) return single(rest);
  const nouns = [...Object.keys(groups), ...Object.keys(extra)].join('|');
  process.stderr.write(`Usage: vpngw ${name} ${nouns} ...\n${noun && noun !== '--help' && noun !== 'help' ? `vpngw ${name}: unknown "${noun}"\n` : ''}`);
  return Promise.resolve(noun === '--help' || noun === 'help' ? 0 : 2);
}

/** The client commands by name; each returns its exit status. */
export const clientCommands: Record<string, (argv: string[]) => Promise<number>> = {
  wireguard: (argv) => runNested('wireguard', wireguardGroups, argv, { keygen: (rest) => runSubcommand('wireguard keygen', wireguardKeygen, rest) }),
  ipsec: (argv) => runNested('ipsec', ipsecGroups, argv),
  token: (argv) => runGroup('token', tokenCommands, argv),
  user: (argv) => runGroup('user', userCommands, argv),
  group: (argv) => runGroup('group', groupCommands, argv),
  login: (argv) => runSubcommand('login', login, argv),
  logout: (argv) => runSubcommand('logout', logout, argv),
};
