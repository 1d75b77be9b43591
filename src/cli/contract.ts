import { formatRules } from '../domain/formats.ts';
import { Formats } from '../schemas/formats.ts';
import { loadOrCreateKey } from '../security/key-files.ts';
import { AuthService } from '../service/auth-service.ts';
import { OperatorRefusal } from '../service/operator-refusal.ts';
import { requiredOption, runAdminCommand, type AdminAction, type AdminValues } from './admin-command.ts';
import { promptSecret, readSecretFile, UsageError } from './secret-input.ts';

const ABOUT = `Creates a contract (tenant) with its administrator in the service's store and prints the contract
number. The password is read from --admin-password-file, else VPNGW_CONTRACT_ADMIN_PASSWORD, else
--admin-password (visible in the process list: avoid on shared hosts), else standard input (asked
for without echo on a terminal).
`;

/** The password, trimmed; asked for without echo on a terminal, as the last resort. */
async function readPassword(values: AdminValues): Promise<string> {
  const what = 'administrator password';
  const file = values['admin-password-file'];
  if (typeof file === 'string' && file) return readSecretFile(file, what);
  if (process.env.VPNGW_CONTRACT_ADMIN_PASSWORD) return process.env.VPNGW_CONTRACT_ADMIN_PASSWORD;
  const given = values['admin-password'];
  if (typeof given === 'string' && given) return given;
  return promptSecret('Administrator password: ', what);
}

const create: AdminAction<{ email: string; password: string }> = {
  synopsis: 'create --admin-email EMAIL [--admin-password-file FILE | --admin-password PASSWORD]',
  options: { 'admin-email': { type: 'string' }, 'admin-password': { type: 'string' }, 'admin-password-file': { type: 'string' } },
  async parse(values) {
    const email = requiredOption(values, 'admin-email').toLowerCase();
    if (!formatRules[Formats.email].check(email)) throw new UsageError(`"${email}" is not an email address.`);
    const password = await readPassword(values);
    if (password.length < 8) throw new UsageError('the password must have at least 8 characters.');
    return { email, password };
  },
  async run({ email, password }, { store, config, out }) {
    if (await store.findUserByEmail(email)) throw new OperatorRefusal(`a user with the email ${email} exists already.`);
    const signingKey = loadOrCreateKey(config.dataDir, 'token-signing.key', config.tokenSigningKey, 'VPNGW_TOKEN_SIGNING_KEY');
    out(`${await new AuthService({ store, signingKey }).createContract(email, password)}\n`);
  },
};

/** `vpngw contract create`: runs against the same data directory as the server, which sees the new contract at once. */
export function contractCommand(argv: string[]): Promise<number> {
  return runAdminCommand('contract', { create }, ABOUT, argv);
}
