import { HttpProblem, type FieldError } from './http-problem.js';

// Titles are the RFC 9110 reason phrases, as RFC 9457 asks for when the type is 'about:blank'.

export const badRequest = (detail?: string, errors?: readonly FieldError[]): HttpProblem =>
  new HttpProblem({ status: 400, title: 'Bad Request', detail, extensions: errors && { errors } });

export const unauthorized = (detail?: string): HttpProblem =>
  new HttpProblem({
    status: 401,
    title: 'Unauthorized',
    detail,
    // RFC 9110 requires a challenge on every 401.
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
  });

export const forbidden = (detail?: string, headers?: Readonly<Record<string, string>>): HttpProblem =>
  new HttpProblem({ status: 403, title: 'Forbidden', detail, headers });

export const notFound = (detail?: string): HttpProblem =>
  new HttpProblem({ status: 404, title: 'Not Found', detail });

export const conflict = (detail?: string): HttpProblem =>
  new HttpProblem({ status: 409, title: 'Conflict', detail });

export const preconditionFailed = (detail?: string): HttpProblem =>
  new HttpProblem({ status: 412, title: 'Precondition Failed', detail });

export const payloadTooLarge = (detail?: string): HttpProblem =>
  new HttpProblem({ status: 413, title: 'Content Too Large', detail });

export const unsupportedMediaType = (detail?: string): HttpProblem =>
  new HttpProblem({ status: 415, title: 'Unsupported Media Type', detail });

export const unprocessableContent = (detail?: string, errors?: readonly FieldError[]): HttpProblem =>
  new HttpProblem({ status: 422, title: 'Unprocessable Content', detail, extensions: errors && { errors } });

export const tooManyRequests = (detail?: string, retryAfterSeconds?: number): HttpProblem =>
  new HttpProblem({
    status: 429,
    title: 'Too Many Requests',
    detail,
    headers: retryAfter(retryAfterSeconds),
  });

export const internalServerError = (): HttpProblem =>
  new HttpProblem({ status: 500, title: 'Internal Server Error' });

export const badGateway = (detail?: string): HttpProblem =>
  new HttpProblem({ status: 502, title: 'Bad Gateway', detail });

export const serviceUnavailable = (detail?: string, retryAfterSeconds?: number): HttpProblem =>
  new HttpProblem({
    status: 503,
    title: 'Service Unavailable',
    detail,
    headers: retryAfter(retryAfterSeconds),
  });

function retryAfter(seconds: number | undefined): Record<string, string> | undefined {
  return seconds === undefined ? undefined : { 'Retry-After': String(Math.max(0, Math.ceil(seconds))) };
}
