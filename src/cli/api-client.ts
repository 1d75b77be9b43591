import type { Agent } from 'undici';
import { untrustedCertificateMessage } from './tls-trust.ts';

/** How the CLI proves who it is: a token (Bearer), an email and password (Basic), or nothing yet. */
export type Credentials =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'none' };

/** A failed call, with the API's own message (the IONOS error body) or why the API could not be reached. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(message: string, readonly httpStatus: number | undefined, readonly errorCode?: string) {
    super(message);
  }
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** No answer in time: the server accepted the connection but did not answer (or the --wait deadline came first). */
export class ApiTimeoutError extends ApiRequestError {
  /** The --wait deadline, not the per-request bound, cut the request short. */
  constructor(message: string, readonly byDeadline: boolean) {
    super(message, undefined);
  }
}

const HINT_401 = 'log in with `vpngw login`, or set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD';

/** The IONOS error body's messages, else the raw text, so the user sees what the server said. */
function apiMessage(status: number, text: string): ApiRequestError {
  let parsed: { messages?: Array<{ errorCode?: string; message?: string }> } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const messages = parsed?.messages?.filter((m) => m.message) ?? [];
  const code = messages[0]?.errorCode;
  const detail = messages.length > 0 ? messages.map((m) => m.message).join(' ') : text.trim().slice(0, 500) || 'no details';
  const hint = status === 401 ? ` (${HINT_401})` : '';
  return new ApiRequestError(`the API answered ${status}${code ? ` ${code}` : ''}: ${detail}${hint}`, status, code);
}

/** How long one request may take when nothing tighter applies: a server that accepts but never answers must not hang the CLI. */
export const REQUEST_TIMEOUT_MS = 30_000;

const secondsText = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** True for the error fetch (or a body read) rejects with when its AbortSignal.timeout fires. */
const isTimeout = (error: unknown) => (error as { name?: string } | null)?.name === 'TimeoutError';

/**
 * A 2xx body as JSON. Something else (an HTML page from a proxy or the wrong --api-url) is reported
 * by its status and content type; the parser's message would only quote the page's first characters.
 */
function parseJsonBody(url: string, response: Response, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const type = response.headers.get('content-type') ?? 'none';
    throw new ApiRequestError(`the server at ${url} answered ${response.status} with something that is not JSON (content-type ${type})`, response.status);
  }
}

/** A small HTTP client for the vpngw API (the same wire API the IONOS SDKs use). */
export class ApiClient {
  readonly baseUrl: string;
  /** When set (--wait), every request ends by then: --wait-timeout bounds the whole command, not just the polling. */
  readonly deadline: number | undefined;
  /** With --ca-file: the connections that also trust that CA. */
  private readonly dispatcher: Agent | undefined;

  constructor(baseUrl: string, private readonly credentials: Credentials, options: { deadline?: number; dispatcher?: Agent } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.deadline = options.deadline;
    this.dispatcher = options.dispatcher;
  }

  private authorization(): Record<string, string> {
    const c = this.credentials;
    if (c.kind === 'bearer') return { authorization: `Bearer ${c.token}` };
    if (c.kind === 'basic') return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
    return {};
  }

  /** The time this request may take: REQUEST_TIMEOUT_MS, or what is left before the deadline if less. */
  private timeoutMs(): { ms: number; byDeadline: boolean } {
    if (this.deadline === undefined) return { ms: REQUEST_TIMEOUT_MS, byDeadline: false };
    const left = Math.max(1, this.deadline - Date.now());
    return left < REQUEST_TIMEOUT_MS ? { ms: left, byDeadline: true } : { ms: REQUEST_TIMEOUT_MS, byDeadline: false };
  }

  /** Sends one request; resolves with any 2xx, rejects with ApiRequestError otherwise. */
  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const url = `${this.baseUrl}${path}`;
    const timeout = this.timeoutMs();
    const noAnswer = () => new ApiTimeoutError(`no answer from ${url} within ${secondsText(timeout.ms)}${timeout.byDeadline ? ' (--wait-timeout)' : ''}`, timeout.byDeadline);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...this.authorization(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeout.ms),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      } as RequestInit);
    } catch (error) {
      if (isTimeout(error)) throw noAnswer();
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const untrusted = untrustedCertificateMessage(cause);
      if (untrusted) throw new ApiRequestError(untrusted, undefined);
      throw new ApiRequestError(`cannot reach the API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, undefined);
    }
    let text: string;
    try {
      // The same signal bounds the body: a server may send the headers and then stall.
      text = await response.text();
    } catch (error) {
      if (isTimeout(error)) throw noAnswer();
      throw new ApiRequestError(`the connection to ${url} broke while reading the answer: ${(error as Error).message}`, undefined);
    }
    if (!response.ok) throw apiMessage(response.status, text);
    return { status: response.status, body: text ? parseJsonBody(url, response, text) : undefined };
  }

  async get<T = unknown>(path: string): Promise<T> {
    return (await this.request('GET', path)).body as T;
  }

  async post<T = unknown>(path: string, body: unknown): Promise<T> {
    return (await this.request('POST', path, body)).body as T;
  }

  async put<T = unknown>(path: string, body: unknown): Promise<T> {
    return (await this.request('PUT', path, body)).body as T;
  }

  async delete(path: string): Promise<unknown> {
    return (await this.request('DELETE', path)).body;
  }
}
