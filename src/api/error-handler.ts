import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, RetryLaterError } from '../domain/errors.ts';
import { ConcurrentChange, isStoreUnavailable } from '../store/store.ts';
import { isClientAbort } from './client-abort.ts';
import { validationMessage } from './validation-messages.ts';

/** Sends the IONOS error body. */
export function sendError(reply: FastifyReply, httpStatus: number, errorCode: string, message: string) {
  return reply.code(httpStatus).type('application/json').send({ httpStatus, messages: [{ errorCode, message }] });
}

// Fastify's own client errors, as the IONOS error body; anything unknown is a 500 without details.
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body exceeds the limit of 1 MiB.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body must be application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'The Content-Length does not match the body.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'The request body is empty; a JSON object is required.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'The request body is not valid JSON.' },
};

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof RetryLaterError) reply.header('retry-after', String(error.retryAfterSeconds));
    if (error instanceof ApiError) return sendError(reply, error.httpStatus, error.errorCode, error.message);
    if (isClientAbort(error, request)) {
      // Nobody is left to answer; 499 (as nginx logs it) keeps these apart from the service's own errors.
      request.log.info({ code: error.code }, 'the client closed the connection before its request was read');
      return sendError(reply, 499, 'CLIENT_CLOSED_REQUEST', 'The client closed the connection.');
    }
    if (error instanceof ConcurrentChange) {
      return sendError(reply, 409, 'CONCURRENT_CHANGE', 'The request conflicts with a concurrent change of the same resource; read it and retry.');
    }
    if (error.validation) {
      const message = error.validation.map((e) => validationMessage(e, error.validationContext ?? 'body')).join(' ');
      return sendError(reply, 400, 'VALIDATION_FAILED', message);
    }
    if (isStoreUnavailable(error)) {
      request.log.error({ err: error }, 'the store is unreachable');
      return sendError(reply, 503, 'STORE_UNAVAILABLE', 'The service cannot reach its store right now; retry shortly.');
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return sendError(reply, known.status, known.code, known.message);
    if (error instanceof SyntaxError || error.statusCode === 400) {
      return sendError(reply, 400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, 'BAD_REQUEST', 'The request was not accepted.');
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'INTERNAL_ERROR', 'An internal error occurred.');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `No resource at ${request.method} ${request.url.split('?')[0]}.`),
  );
}
