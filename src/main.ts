import { CLIENT_USAGE, clientCommands } from './cli/client-commands.ts';

const USAGE = `Usage: vpngw <command> [options]

Commands:
  serve     Run the API server with its embedded reconciler
            (--host, --port, --data-dir, --location, --public-url, --admin-email,
             --driver, --reconcile-interval, --log-level; or the VPNGW_* variables)
  contract  create --admin-email E [--admin-password-file F]: a new contract (tenant) with its administrator
  openapi   Print the OpenAPI document of the API

Client commands (over the HTTP API):
${CLIENT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Loaded on demand: a client command should not pay for the server, the store and the drivers.
    case 'serve':
      return (await import('./cli/serve.ts')).serve(rest);
    case 'contract':
      return (await import('./cli/contract.ts')).contractCommand(rest);
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
