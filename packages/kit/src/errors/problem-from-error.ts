import { STATUS_CODES } from 'node:http';
import { InsufficientScopeError, UnauthorizedError } from 'express-oauth2-jwt-bearer';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { DependencyRefused, DependencyUnavailable } from './dependency-errors.js';
import { HttpProblem } from './http-problem.js';
import {
  badRequest,
  conflict,
  forbidden,
  internalServerError,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  unsupportedMediaType,
} from './problems.js';

/** How long a client should wait before retrying when the database is down. */
const databaseRetryAfterSeconds = 2;

/**
 * Turns anything a handler threw into the problem the client sees. Only errors whose shape we know
 * are described to the client; everything else is an opaque 500.
 */
export function problemFromError(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  // InsufficientScopeError extends UnauthorizedError, so it must be tested first.
  if (error instanceof InsufficientScopeError) return forbidden(error.message, error.headers);
  if (error instanceof UnauthorizedError) return authenticationProblem(error);
  if (isBodyParserError(error)) return bodyParserProblem(error);
  if (isDatabaseUnavailable(error))
    return serviceUnavailable('The database is unavailable', databaseRetryAfterSeconds);
  // A dependency down or refusing (each client module says which): 503, 400, 404 or 409, never a 500.
  if (error instanceof DependencyUnavailable)
    return serviceUnavailable(error.detail, error.retryAfterSeconds);
  if (error instanceof DependencyRefused) return refusalProblem(error);
  if (isExposedClientError(error)) {
    return new HttpProblem({
      status: error.status,
      title: STATUS_CODES[error.status] ?? 'Error',
      detail: error.message,
    });
  }
  return internalServerError();
}

function refusalProblem(error: DependencyRefused): HttpProblem {
  switch (error.refusal) {
    case 'invalid':
      return badRequest(error.detail, error.fieldErrors);
    case 'not_found':
      return notFound(error.detail);
    case 'conflict':
      return conflict(error.detail);
  }
}

// The library answers 400 for a malformed Authorization header, but to a client that is the same
// situation as a missing token: it has to authenticate, so it gets a 401 with the library's challenge.
function authenticationProblem(error: UnauthorizedError): HttpProblem {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  return new HttpProblem({
    status: 401,
    title: 'Unauthorized',
    detail: code === '' ? 'A bearer token is required' : error.message,
    headers: error.headers,
  });
}

interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly limit?: number;
  readonly charset?: string;
  readonly encoding?: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    'type' in error &&
    typeof error.type === 'string' &&
    'status' in error &&
    typeof error.status === 'number'
  );
}

function bodyParserProblem(error: BodyParserError): HttpProblem {
  switch (error.type) {
    case 'entity.too.large':
      return payloadTooLarge(
        error.limit === undefined
          ? 'The request body is too large'
          : `The request body exceeds the limit of ${error.limit} bytes`,
      );
    case 'entity.parse.failed':
      return badRequest('Malformed JSON');
    case 'charset.unsupported':
      return unsupportedMediaType(`Unsupported charset "${error.charset ?? ''}"`);
    case 'encoding.unsupported':
      return unsupportedMediaType(`Unsupported content encoding "${error.encoding ?? ''}"`);
    case 'request.aborted':
      return badRequest('The request was aborted');
    case 'request.size.invalid':
      return badRequest('The request body length does not match Content-Length');
    default:
      return error.status >= 400 && error.status < 500
        ? new HttpProblem({ status: error.status, title: STATUS_CODES[error.status] ?? 'Error' })
        : internalServerError();
  }
}

/** http-errors marks client errors whose message is safe to show with `expose` (e.g. a bad %-escape in a path). */
function isExposedClientError(error: unknown): error is Error & { status: number } {
  return (
    error instanceof Error &&
    'expose' in error &&
    error.expose === true &&
    'status' in error &&
    typeof error.status === 'number' &&
    error.status >= 400 &&
    error.status < 500
  );
}
