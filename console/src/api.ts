// Every call goes to this host's public API with the signed-in user's token; nothing else is trusted.
import type { ApiErrorBody } from './types.ts';

const TOKEN_KEY = 'vpngw.session';
/** Console sessions last eight hours; logging out revokes the token at once. */
export const SESSION_SECONDS = 8 * 3600;

export interface Session { token: string; email: string; expires: number; administrator: boolean }

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly messages: ApiErrorBody['messages']) {
    super(messages.map((m) => m.message).join(' ') || `The API answered ${status}.`);
  }

  /** Messages that name a property (`properties.allowedIPs[0] …`), by that top-level property; the rest under ''. */
  byField(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const { message } of this.messages) {
      const field = /\bproperties\.([A-Za-z0-9]+)/.exec(message)?.[1] ?? '';
      fields[field] = fields[field] ? `${fields[field]} ${message}` : message;
    }
    return fields;
  }
}

let session: Session | null = readSession();
const listeners = new Set<() => void>();

function readSession(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null') as Session | null;
    return stored && stored.expires > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

export const currentSession = () => session;
export function onSessionChange(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(next: Session | null) {
  session = next;
  if (next) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(TOKEN_KEY);
  for (const listener of listeners) listener();
}

async function failure(response: Response): Promise<ApiFailure> {
  const body = (await response.json().catch(() => null)) as Partial<ApiErrorBody> | null;
  const messages = Array.isArray(body?.messages) ? body.messages : [{ errorCode: 'HTTP_' + response.status, message: `The API answered ${response.status} ${response.statusText}.` }];
  return new ApiFailure(response.status, messages);
}

/** One API call with the session's token; a 401 ends the session (the token expired or was revoked). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (response.status === 401 && session) setSession(null);
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const utf8Base64 = (text: string) => btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(''));

/** Email and password buy a token of limited lifetime; the password is not kept. */
export async function logIn(email: string, password: string): Promise<void> {
  const response = await fetch(`/auth/v1/tokens/generate?ttl=${SESSION_SECONDS}`, {
    headers: { accept: 'application/json', authorization: `Basic ${utf8Base64(`${email}:${password}`)}` },
  });
  if (!response.ok) throw await failure(response);
  const { token } = (await response.json()) as { token: string };
  // Administration is shown to those whom the API lets list users; for the others it answers 403.
  const probe = await fetch('/cloudapi/v6/um/users?limit=1', { headers: { authorization: `Bearer ${token}` } });
  setSession({ token, email, expires: Date.now() + SESSION_SECONDS * 1000, administrator: probe.ok });
}

/** Revokes the token (the API refuses it from now on) and forgets it. */
export async function logOut(): Promise<void> {
  try {
    if (session) await api('DELETE', '/auth/v1/tokens?criteria=CURRENT');
  } finally {
    setSession(null);
  }
}
