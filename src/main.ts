import { contractCommand } from './cli/contract.ts';
import { printOpenApi } from './cli/openapi.ts';
import { serve } from './cli/serve.ts';

const USAGE = `Usage: vpngw <command> [options]

Commands:
  serve     Run the API server with its embedded reconciler
            (--host, --port, --data-dir, --location, --public-url, --admin-email,
             --driver, --reconcile-interval, --log-level; or the VPNGW_* variables)
  contract  create --admin-email E [--admin-password-file F]: a new contract (tenant) with its administrator
  openapi   Print the OpenAPI document of the API
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'contract':
      return contractCommand(rest);
    case 'openapi':
      return printOpenApi();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`vpngw: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
