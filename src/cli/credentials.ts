import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.ts';
import type { Credentials } from './api-client.ts';
import { readSecretFile } from './secret-input.ts';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** What `vpngw login` keeps: the API it logged in to and a token for it (never a password). */
export interface StoredLogin {
  apiUrl: string;
  token: string;
  username?: string;
  /** The CA file given at login (--ca-file), trusted for this API from then on. */
  caFile?: string;
}

/** The connection options every client command accepts. */
export interface ConnectionOptions {
  'api-url'?: string;
  username?: string;
  'password-file'?: string;
  password?: string;
  'ca-file'?: string;
}

/** `$XDG_CONFIG_HOME/vpngw`, else `~/.config/vpngw`. */
export function configDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'vpngw');
}

export function loginFilePath(env: NodeJS.ProcessEnv): string {
  return join(configDirectory(env), 'credentials.json');
}

export function readStoredLogin(env: NodeJS.ProcessEnv): StoredLogin | undefined {
  try {
    const parsed = JSON.parse(readFileSync(loginFilePath(env), 'utf8')) as Partial<StoredLogin>;
    return typeof parsed.apiUrl === 'string' && typeof parsed.token === 'string' ? (parsed as StoredLogin) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the login with mode 0600 in a 0700 directory, atomically, so a token is never readable by others. */
export function writeStoredLogin(env: NodeJS.ProcessEnv, login: StoredLogin): string {
  const dir = configDirectory(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = loginFilePath(env);
  writeFileAtomic(path, `${JSON.stringify(login, null, 2)}\n`);
  return path;
}

export function removeStoredLogin(env: NodeJS.ProcessEnv): void {
  rmSync(loginFilePath(env), { force: true });
}

const normalizeUrl = (url: string) => url.trim().replace(/\/+$/, '');

/** --api-url, else VPNGW_API_URL, else IONOS_API_URL, else the stored login's, else the local default. */
export function resolveApiUrl(values: ConnectionOptions, env: NodeJS.ProcessEnv): string {
  const given = values['api-url'] || env.VPNGW_API_URL || env.IONOS_API_URL || readStoredLogin(env)?.apiUrl || DEFAULT_API_URL;
  return normalizeUrl(given);
}

/** --ca-file, else VPNGW_CA_FILE, else the one the stored login for this API was made with; as an absolute path. */
export function resolveCaFile(values: ConnectionOptions, env: NodeJS.ProcessEnv, apiUrl: string): string | undefined {
  const stored = readStoredLogin(env);
  const given = values['ca-file'] || env.VPNGW_CA_FILE || (stored && normalizeUrl(stored.apiUrl) === apiUrl ? stored.caFile : undefined);
  return given ? resolve(given) : undefined;
}

function passwordFrom(values: ConnectionOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (values['password-file']) return readSecretFile(values['password-file'], 'password');
  return env.VPNGW_PASSWORD || env.IONOS_PASSWORD || values.password || undefined;
}

/**
 * Who the CLI is, in this order: --username (with --password-file or a password variable), a
 * token variable (VPNGW_TOKEN, IONOS_TOKEN), username and password variables, the stored login.
 * The stored token is sent only to the API it was issued by.
 */
export function resolveCredentials(values: ConnectionOptions, env: NodeJS.ProcessEnv, apiUrl: string): Credentials {
  const password = () => passwordFrom(values, env);
  if (values.username) return { kind: 'basic', username: values.username, password: password() ?? '' };
  const token = env.VPNGW_TOKEN || env.IONOS_TOKEN;
  if (token) return { kind: 'bearer', token };
  const username = env.VPNGW_USERNAME || env.IONOS_USERNAME;
  if (username) return { kind: 'basic', username, password: password() ?? '' };
  const stored = readStoredLogin(env);
  if (stored && normalizeUrl(stored.apiUrl) === apiUrl) return { kind: 'bearer', token: stored.token };
  return { kind: 'none' };
}
