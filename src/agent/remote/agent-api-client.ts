import type { Dispatcher } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { untrustedCertificateMessage } from '../../cli/tls-trust.ts';
import type { ServerRotation } from './server-rotation.ts';

/** The API server refused the agent's credential: the host was removed (or the credential is not its). */
export class AgentUnauthorizedError extends Error {
  override readonly name = 'AgentUnauthorizedError';
}

/** A refusal that asking again (or another server) will not change: an untrusted certificate, a 4xx. */
export class AgentRequestError extends Error {
  override readonly name = 'AgentRequestError';
}

export interface AgentApiClientDeps {
  rotation: ServerRotation;
  /** Given with --ca-file: trusts that CA besides the system's. */
  dispatcher?: Dispatcher;
  /** Told about each server given up for the next (no secret in it). */
  onServerFailed?: (server: string, reason: string, retryInMs: number) => void;
  /** Per request, beyond any long-poll wait. */
  timeoutMs?: number;
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The agent's HTTP client for /agent/v1: JSON over fetch, the credential as a bearer token, every
 * connection failure or 5xx retried on the next server in turn (with backoff once all failed) until
 * it succeeds or the signal aborts.
 */
export class AgentApiClient {
  credential: string | undefined;

  constructor(private readonly deps: AgentApiClientDeps) {}

  async request(method: string, path: string, options: { body?: unknown; signal?: AbortSignal; waitSeconds?: number } = {}): Promise<unknown> {
    for (;;) {
      options.signal?.throwIfAborted();
      const server = this.deps.rotation.current;
      let reason: string;
      try {
        const answer = await this.once(server, method, path, options);
        if (answer.status === 401) throw new AgentUnauthorizedError(errorMessage(answer.body) ?? 'the credential was refused');
        if (answer.status < 400) {
          this.deps.rotation.succeeded();
          return answer.body;
        }
        if (answer.status < 500) throw new AgentRequestError(`${method} ${path} answered ${answer.status}: ${errorMessage(answer.body) ?? 'no message'}`);
        reason = `answered ${answer.status}`;
      } catch (error) {
        if (error instanceof AgentUnauthorizedError || error instanceof AgentRequestError || options.signal?.aborted) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const untrusted = untrustedCertificateMessage(cause);
        if (untrusted) throw new AgentRequestError(`${server}: ${untrusted}`);
        reason = cause?.code ?? cause?.message ?? (error as Error).message;
      }
      const delay = this.deps.rotation.failed();
      this.deps.onServerFailed?.(server, reason, delay);
      if (delay > 0) await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    }
  }

  private async once(server: string, method: string, path: string, options: { body?: unknown; signal?: AbortSignal; waitSeconds?: number }): Promise<Answer> {
    const timeout = AbortSignal.timeout((this.deps.timeoutMs ?? 15_000) + (options.waitSeconds ?? 0) * 1000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.credential) headers.authorization = `Bearer ${this.credential}`;
    const init = {
      method, headers, signal,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(this.deps.dispatcher ? { dispatcher: this.deps.dispatcher } : {}),
    };
    const response = await fetch(`${server}${path}`, init as RequestInit);
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }
}

/** The IONOS error shape's first message. */
function errorMessage(body: unknown): string | undefined {
  const messages = (body as { messages?: Array<{ message?: string }> } | undefined)?.messages;
  return messages?.[0]?.message;
}
