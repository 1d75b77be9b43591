/** An error a client caused or may see; one handler turns it into the IONOS error body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'VALIDATION_FAILED') => new ApiError(400, code, message);
export const unauthorized = (message = 'Authentication failed: missing or invalid credentials.') =>
  new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (what: string, id: string) => new ApiError(404, 'NOT_FOUND', `${what} ${id} was not found.`);
export const conflict = (message: string, code = 'CONFLICT') => new ApiError(409, code, message);
export const unprocessable = (message: string, code = 'UNPROCESSABLE') => new ApiError(422, code, message);

/** A refusal the client may retry later (429, 503); the handler adds `Retry-After` in whole seconds. */
export class RetryLaterError extends ApiError {
  constructor(httpStatus: number, errorCode: string, message: string, readonly retryAfterSeconds: number) {
    super(httpStatus, errorCode, message);
  }
}
