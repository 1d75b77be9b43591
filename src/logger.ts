import pino, { type DestinationStream, type Logger } from 'pino';

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

/** Structured JSON logs with secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
          id: req.id, method: req.method, url: req.url, headers: req.headers,
        }),
      },
    },
    destination,
  );
}
