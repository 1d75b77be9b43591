import { CLIENT_USAGE, clientCommands } from './cli/client-commands.ts';

const USAGE = `Usage: vpngw <command> [options]

Commands:
  serve     Run the API server with its embedded reconciler
            (--host, --port, --data-dir, --location, --public-url, --admin-email,
             --driver files|linux|none, --reconcile-interval, --shutdown-timeout, --host-heartbeat-timeout, --log-level, --log-format;
             or the VPNGW_* variables)
  agent     Run a gateway host's data plane from the API servers' desired state (fleet, preview)
            (--server URL[,URL...], --data-dir, --enrollment-token-file, --name, --ca-file, --address IP,
             --delegated-block CIDR[=IFNAME], --lan DATACENTER_ID:LAN_ID=IFNAME, --driver linux|files, --ipsec-backend, --netns,
             --reconcile-interval, --heartbeat-interval, --log-level; or VPNGW_AGENT_* variables)
  contract  create --admin-email E [--admin-password-file F]: a new contract (tenant) with its administrator
  datacenter create --contract N [--id UUID] [--name NAME] [--location LOC]: declare a contract's datacenter
            | list: every datacenter, its contract, and whether it was declared or claimed by first use
  lan       bind --datacenter UUID --lan ID --interface IFNAME [--name NAME]: the LAN is this host interface
            | unbind --datacenter UUID --lan ID | list [--datacenter UUID]
  admin     reset-password --email E [--password-file F]: set a user's password, revoke its tokens
  host      token create [--ttl 15m]: a single-use enrollment token for a gateway host's agent (preview)
            | list | drain --id UUID | remove --id UUID: the gateway hosts, their state and gateways
            (contract, datacenter, lan, admin and host work on the service's store: --data-dir, VPNGW_DATA_DIR, VPNGW_DATABASE_URL)
  backup    --out FILE [--data-dir DIR]: an online backup of the SQLite store and the keys, in one 0600 archive
  restore   --from FILE [--data-dir DIR] [--force]: restore such an archive into a data directory
  openapi   Print the OpenAPI document of the API
  version   The release and the store schema it migrates to (also --version)

Client commands (over the HTTP API):
${CLIENT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Loaded on demand: a client command should not pay for the server, the store and the drivers.
    case 'serve':
      return (await import('./cli/serve.ts')).serve(rest);
    case 'agent':
      return (await import('./cli/agent.ts')).agentCommand(rest);
    case 'contract':
      return (await import('./cli/contract.ts')).contractCommand(rest);
    case 'datacenter':
      return (await import('./cli/datacenter-commands.ts')).datacenterCommand(rest);
    case 'lan':
      return (await import('./cli/lan-commands.ts')).lanCommand(rest);
    case 'admin':
      return (await import('./cli/admin-commands.ts')).adminCommand(rest);
    case 'host':
      return (await import('./cli/host-commands.ts')).hostCommand(rest);
    case 'backup':
      return (await import('./cli/backup-commands.ts')).backupCommand(rest);
    case 'restore':
      return (await import('./cli/backup-commands.ts')).restoreCommand(rest);
    case 'version':
    case '--version':
    case '-V':
      return (await import('./cli/version.ts')).printVersion();
    case 'openapi':
      return (await import('./cli/openapi.ts')).printOpenApi();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default: {
      const client = Object.hasOwn(clientCommands, command) ? clientCommands[command] : undefined;
      if (client) return client(rest);
      process.stderr.write(`vpngw: unknown command "${command}"\n\n${USAGE}`);
      return 2;
    }
  }
}

process.exitCode = await main(process.argv.slice(2));
