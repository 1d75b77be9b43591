import { ApiClient, ApiRequestError } from './api-client.ts';
import type { CliContext, CommandGroup, OptionValues, Subcommand } from './command.ts';
import { loginFilePath, readStoredLogin, removeStoredLogin, resolveApiUrl, resolveCaFile, writeStoredLogin, type ConnectionOptions } from './credentials.ts';
import { formatJson, formatTable } from './output.ts';
import { integerOption, str } from './property-options.ts';
import { promptSecret, readSecretFile, UsageError } from './secret-input.ts';
import { trustingDispatcher } from './tls-trust.ts';

type TokenInfo = { id: string; createdDate: string; expirationDate: string };

const ttlQuery = (values: OptionValues) => {
  const ttl = integerOption(values, 'ttl');
  return ttl !== undefined ? `?ttl=${ttl}` : '';
};

async function loginPassword(values: OptionValues, env: NodeJS.ProcessEnv): Promise<string> {
  const file = str(values, 'password-file');
  if (file) return readSecretFile(file, 'password');
  return env.VPNGW_PASSWORD || env.IONOS_PASSWORD || str(values, 'password') || promptSecret('Password: ');
}

/** `vpngw login`: trades the email and password for a token, kept in the config directory (0600). */
export const login: Subcommand = {
  summary: 'Log in: get a token for the API and keep it (mode 0600) in $XDG_CONFIG_HOME/vpngw or ~/.config/vpngw.',
  options: { ttl: { type: 'string' } },
  optionsHelp: '--api-url URL --username EMAIL [--password-file FILE|-] [--ttl SECONDS] [--ca-file FILE] (the password is asked for when not given; the CA file is kept with the token)',
  async run(ctx, values) {
    const username = str(values, 'username') || ctx.env.VPNGW_USERNAME || ctx.env.IONOS_USERNAME;
    if (!username) throw new UsageError('--username (or IONOS_USERNAME) is required');
    const apiUrl = resolveApiUrl(values as ConnectionOptions, ctx.env);
    const caFile = resolveCaFile(values as ConnectionOptions, ctx.env, apiUrl);
    const client = new ApiClient(apiUrl, { kind: 'basic', username, password: await loginPassword(values, ctx.env) },
      caFile ? { dispatcher: trustingDispatcher(caFile) } : {});
    const { token } = await client.get<{ token: string }>(`/auth/v1/tokens/generate${ttlQuery(values)}`);
    const path = writeStoredLogin(ctx.env, { apiUrl, token, username, ...(caFile ? { caFile } : {}) });
    if (ctx.output === 'json') ctx.out(formatJson({ apiUrl, username, credentialsFile: path }));
    else ctx.out(`Logged in to ${apiUrl} as ${username}; the token is kept in ${path}\n`);
  },
};

/**
 * `vpngw logout`: revokes the stored token on the server and forgets it. When the server could not
 * revoke it (down, unreachable), the token stays valid, so the file is kept for another try unless
 * --force says to forget it anyway.
 */
export const logout: Subcommand = {
  summary: 'Log out: revoke the stored token and remove it.',
  options: { force: { type: 'boolean' } },
  optionsHelp: '[--force] (remove the stored token even when the server could not revoke it)',
  async run(ctx, values) {
    const stored = readStoredLogin(ctx.env);
    if (!stored) {
      ctx.out('Not logged in.\n');
      return;
    }
    const failure = await revokeStoredToken(stored.apiUrl, stored.token, stored.caFile);
    const path = loginFilePath(ctx.env);
    if (failure && values.force !== true) {
      ctx.err(`vpngw logout: could not revoke the token (${failure}); it is still valid until it expires, so ${path} was kept `
        + '(run `vpngw logout` again, or `vpngw logout --force` to remove it anyway)\n');
      return 1;
    }
    if (failure) ctx.err(`vpngw logout: could not revoke the token (${failure}); it is still valid until it expires, removing ${path} anyway (--force)\n`);
    removeStoredLogin(ctx.env);
    ctx.out(`Logged out of ${stored.apiUrl}; removed ${path}\n`);
  },
};

/** Revokes the token on its server; returns why that failed, or undefined when the token is no longer valid. */
async function revokeStoredToken(apiUrl: string, token: string, caFile: string | undefined): Promise<string | undefined> {
  try {
    await new ApiClient(apiUrl, { kind: 'bearer', token }, caFile ? { dispatcher: trustingDispatcher(caFile) } : {}).delete('/auth/v1/tokens?criteria=CURRENT');
    return undefined;
  } catch (error) {
    // An expired or already revoked token is as good as revoked.
    if (error instanceof ApiRequestError && error.httpStatus === 401) return undefined;
    return (error as Error).message;
  }
}

async function revoke(ctx: CliContext, values: OptionValues, args: string[]) {
  const criteria = str(values, 'criteria');
  if ((args.length === 1) === (criteria !== undefined)) throw new UsageError('give either a <tokenId> or --criteria ALL|EXPIRED|CURRENT');
  const path = args[0] ? `/auth/v1/tokens/${encodeURIComponent(args[0])}` : `/auth/v1/tokens?criteria=${encodeURIComponent(criteria ?? '')}`;
  const result = await ctx.client.delete(path);
  ctx.out(ctx.output === 'json' ? formatJson(result) : `revoked ${args[0] ? `token ${args[0]}` : `${criteria} tokens`}\n`);
}

/** `vpngw token generate|list|revoke`. */
export const tokenCommands: CommandGroup = {
  generate: {
    summary: 'Issue a token and print it (for IONOS_TOKEN); --ttl SECONDS, default one year.',
    options: { ttl: { type: 'string' } },
    async run(ctx, values) {
      const body = await ctx.client.get<{ token: string }>(`/auth/v1/tokens/generate${ttlQuery(values)}`);
      ctx.out(ctx.output === 'json' ? formatJson(body) : `${body.token}\n`);
    },
  },
  list: {
    summary: 'List your tokens (ids and dates, never the tokens themselves).',
    async run(ctx) {
      const body = await ctx.client.get<{ tokens: TokenInfo[] }>('/auth/v1/tokens');
      ctx.out(ctx.output === 'json' ? formatJson(body) : formatTable([
        { header: 'ID', value: (t) => t.id }, { header: 'CREATED', value: (t) => t.createdDate }, { header: 'EXPIRES', value: (t) => t.expirationDate },
      ], body.tokens));
    },
  },
  revoke: {
    summary: 'Revoke one token by id, or all, the expired or the current one with --criteria.',
    args: ['tokenId?'],
    options: { criteria: { type: 'string' } },
    optionsHelp: '[--criteria ALL|EXPIRED|CURRENT]',
    run: revoke,
  },
};
