import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/** Paths that could carry a secret, whatever logs them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.privateKey',
  '*.*.privateKey',
  '*.psk',
  '*.*.psk',
  '*.key',
  '*.password',
  '*.token',
  'body',
  '*.body',
];

// Only these request headers are logged: any other may carry a credential (Proxy-Authorization, API keys).
const LOGGED_HEADERS = ['host', 'user-agent', 'accept', 'content-type', 'content-length', 'x-request-id', 'x-forwarded-for', 'authorization'];

function loggedHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(LOGGED_HEADERS.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]));
}

/** Structured JSON logs with secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
          id: req.id, method: req.method, url: req.url, headers: loggedHeaders(req.headers),
        }),
      },
    },
    destination,
  );
}

/** How log lines look: JSON lines for collectors (default), or one readable line each for a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * Where `vpngw serve` logs: stdout as JSON, or through pino-pretty (time, level, message, then the
 * fields), in colour on a terminal. Redaction happens before either, so both hide the same secrets.
 */
export function logDestination(format: LogFormat): DestinationStream | undefined {
  if (format === 'json') return undefined;
  return pinoPretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
}
