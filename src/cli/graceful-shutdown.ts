import type { Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** What a drain stops: the HTTP server it counts requests on, the reconciler, and the whole service. */
export interface Drainable {
  server: Server;
  passInProgress(): boolean;
  /** Marks not ready, stops accepting, lets requests and the current pass finish, closes the store. */
  close(): Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  timeoutMs: number;
  exit: (code: number) => void;
}

export interface PendingWork {
  requestsInFlight: number;
  connectionsOpen: number;
  passInProgress: boolean;
}

/** What a drain that ran out of time was still waiting for, for its one warning. */
export function pendingWork(work: PendingWork): string {
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const pending = [
    ...(work.requestsInFlight > 0 ? [`${plural(work.requestsInFlight, 'request')} in flight`] : []),
    ...(work.requestsInFlight === 0 && work.connectionsOpen > 0 ? [`${plural(work.connectionsOpen, 'connection')} open`] : []),
    ...(work.passInProgress ? ['a reconcile pass'] : []),
  ];
  return pending.length > 0 ? pending.join(' and ') : 'closing the store';
}

/** The responses of requests that have begun and whose response has not yet finished or been cut. */
function trackResponsesInFlight(server: Server): Set<ServerResponse> {
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  return inFlight;
}

/**
 * Requests that began before the drain keep their connection alive after their answer unless told:
 * those not yet answered answer with Connection: close, and connections that fall idle are closed.
 */
function closeConnectionsAsTheyFallIdle(server: Server, inFlight: Set<ServerResponse>): NodeJS.Timeout {
  for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
  const timer = setInterval(() => server.closeIdleConnections(), 100);
  timer.unref();
  return timer;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}

/**
 * On SIGTERM or SIGINT, drains the service within `timeoutMs` and exits 0; past the deadline, logs
 * what was still pending, cuts the remaining connections and exits 1. A further signal during the
 * drain starts nothing new.
 */
export function installGracefulShutdown(service: Drainable, options: ShutdownOptions): void {
  const { logger, timeoutMs, exit } = options;
  const inFlight = trackResponsesInFlight(service.server);
  let startedAt: number | undefined;
  const elapsedMs = () => Math.round(performance.now() - (startedAt ?? 0));
  const drain = (signal: NodeJS.Signals) => {
    if (startedAt !== undefined) {
      logger.info({ signal }, 'shutdown already under way');
      return;
    }
    startedAt = performance.now();
    logger.info({ signal, timeoutMs }, 'shutting down');
    const idleCloser = closeConnectionsAsTheyFallIdle(service.server, inFlight);
    const deadline = setTimeout(() => void openConnections(service.server).then((connectionsOpen) => {
      const pending = pendingWork({ requestsInFlight: inFlight.size, connectionsOpen, passInProgress: service.passInProgress() });
      logger.warn({ durationMs: elapsedMs(), pending }, `shutdown timed out after ${timeoutMs} ms, still pending: ${pending}; closing the remaining connections`);
      service.server.closeAllConnections();
      exit(1);
    }), timeoutMs);
    service.close().then(() => {
      clearTimeout(deadline);
      clearInterval(idleCloser);
      logger.info({ durationMs: elapsedMs() }, 'stopped');
      exit(0);
    }, (error: unknown) => {
      clearTimeout(deadline);
      clearInterval(idleCloser);
      logger.error({ err: error, durationMs: elapsedMs() }, 'shutdown failed');
      exit(1);
    });
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
}
