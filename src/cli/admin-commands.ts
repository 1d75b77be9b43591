import { formatRules } from '../domain/formats.ts';
import { Formats } from '../schemas/formats.ts';
import { resetPassword } from '../service/password-reset.ts';
import { requiredOption, runAdminCommand, type AdminAction, type AdminValues } from './admin-command.ts';
import { removeStaleInitialPassword } from './initial-password.ts';
import { promptSecret, readSecretFile, UsageError } from './secret-input.ts';

const ABOUT = `reset-password sets a user's password and revokes all of that user's tokens, in the service's store
(--data-dir, VPNGW_DATA_DIR or VPNGW_DATABASE_URL), next to a running server, which takes it on the next
request. The password is read from --password-file FILE (- for standard input), else VPNGW_NEW_PASSWORD,
else asked for twice without echo on a terminal (else one line of standard input). It is never an argument.
`;

const MIN_LENGTH = 8;

async function newPassword(values: AdminValues): Promise<string> {
  const what = 'new password';
  const file = values['password-file'];
  if (typeof file === 'string' && file) return readSecretFile(file, what);
  if (process.env.VPNGW_NEW_PASSWORD) return process.env.VPNGW_NEW_PASSWORD;
  const first = await promptSecret('New password: ', what);
  if (process.stdin.isTTY && first !== (await promptSecret('Repeat it: ', what))) throw new UsageError('the two passwords differ.');
  return first;
}

const resetPasswordAction: AdminAction<{ email: string; password: string }> = {
  synopsis: 'reset-password --email EMAIL [--password-file FILE|-]',
  options: { email: { type: 'string' }, 'password-file': { type: 'string' } },
  async parse(values) {
    const email = requiredOption(values, 'email').toLowerCase();
    if (!formatRules[Formats.email].check(email)) throw new UsageError(`"${email}" is not an email address.`);
    const password = await newPassword(values);
    if (password.length < MIN_LENGTH) throw new UsageError(`the password must have at least ${MIN_LENGTH} characters.`);
    return { email, password };
  },
  async run({ email, password }, { store, config, out }) {
    const before = await store.findUserByEmail(email);
    const reset = await resetPassword(store, email, password);
    const removed = before ? await removeStaleInitialPassword(config.dataDir, before.passwordHash) : false;
    out(`Set the password of ${email} (contract ${reset.contractNumber}) and revoked ${reset.revokedTokens} token${reset.revokedTokens === 1 ? '' : 's'}.\n`);
    if (removed) out('Removed the generated first-start password file, which no longer holds the password.\n');
    if (!reset.active) out(`Note: ${email} is deactivated and cannot log in until an administrator activates it.\n`);
  },
};

/** `vpngw admin reset-password`: the operator's way back in when a password is lost. */
export function adminCommand(argv: string[]): Promise<number> {
  return runAdminCommand('admin', { 'reset-password': resetPasswordAction }, ABOUT, argv);
}
