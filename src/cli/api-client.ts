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

/** A small HTTP client for the vpngw API (the same wire API the IONOS SDKs use). */
export class ApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly credentials: Credentials) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private authorization(): Record<string, string> {
    const c = this.credentials;
    if (c.kind === 'bearer') return { authorization: `Bearer ${c.token}` };
    if (c.kind === 'basic') return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
    return {};
  }

  /** Sends one request; resolves with any 2xx, rejects with ApiRequestError otherwise. */
  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...this.authorization(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiRequestError(`cannot reach the API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, undefined);
    }
    const text = await response.text();
    if (!response.ok) throw apiMessage(response.status, text);
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
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
