import { parseArgs } from 'node:util';
import { formatRules } from '../domain/formats.ts';
import { Formats } from '../schemas/formats.ts';
import { loadOrCreateKey } from '../security/key-files.ts';
import { AuthService } from '../service/auth-service.ts';
import { openStore } from '../store/open-store.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { promptSecret, readSecretFile, UsageError } from './secret-input.ts';

const USAGE = `Usage: vpngw contract create --admin-email EMAIL [--admin-password-file FILE | --admin-password PASSWORD] [--data-dir DIR]

Creates a contract (tenant) with its administrator in the service's store and prints the contract
number. The password is read from --admin-password-file, else VPNGW_CONTRACT_ADMIN_PASSWORD, else
--admin-password (visible in the process list: avoid on shared hosts), else standard input (asked
for without echo on a terminal).
`;

/** A mistake in how `vpngw contract create` was called: exit status 2 with the message. */
const isUsageError = (error: unknown) =>
  error instanceof UsageError || error instanceof ConfigError || (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;

const OPTIONS = {
  'admin-email': { type: 'string' }, 'admin-password': { type: 'string' }, 'admin-password-file': { type: 'string' }, 'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The password, trimmed; asked for without echo on a terminal, as the last resort. */
async function readPassword(values: { 'admin-password-file'?: string; 'admin-password'?: string }): Promise<string> {
  const what = 'administrator password';
  if (values['admin-password-file']) return readSecretFile(values['admin-password-file'], what);
  if (process.env.VPNGW_CONTRACT_ADMIN_PASSWORD) return process.env.VPNGW_CONTRACT_ADMIN_PASSWORD;
  if (values['admin-password']) return values['admin-password'];
  return promptSecret('Administrator password: ', what);
}

/** `vpngw contract create`: runs against the same data directory as the server, which sees the new contract at once. */
export async function contractCommand(argv: string[]): Promise<number> {
  try {
    return await createContract(argv);
  } catch (error) {
    // Usage mistakes (an unknown option, an unreadable password file) get one line, not a stack trace.
    if (!isUsageError(error)) throw error;
    process.stderr.write(`vpngw contract create: ${(error as Error).message}\n(see vpngw contract create --help)\n`);
    return 2;
  }
}

async function createContract(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true });
  if (values.help || action === '--help' || action === '-h' || action === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const email = values['admin-email']?.trim().toLowerCase();
  if (action !== 'create' || !email) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!formatRules[Formats.email].check(email)) {
    process.stderr.write(`vpngw contract create: "${email}" is not an email address.\n`);
    return 2;
  }
  const password = await readPassword(values);
  if (password.length < 8) {
    process.stderr.write('vpngw contract create: the password must have at least 8 characters.\n');
    return 2;
  }
  const config = loadConfig(values['data-dir'] ? ['--data-dir', values['data-dir']] : [], process.env);
  const store = await openStore(config);
  try {
    if (await store.findUserByEmail(email)) {
      process.stderr.write(`vpngw contract create: a user with the email ${email} exists already.\n`);
      return 1;
    }
    const signingKey = loadOrCreateKey(config.dataDir, 'token-signing.key', config.tokenSigningKey, 'VPNGW_TOKEN_SIGNING_KEY');
    const contractNumber = await new AuthService({ store, signingKey }).createContract(email, password);
    process.stdout.write(`${contractNumber}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
