import type { FieldError } from './http-problem.js';

export interface DependencyUnavailableOptions {
  /** What the client is told; says nothing about the dependency's internals. */
  readonly detail?: string;
  /** How long a client should wait before retrying. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/**
 * A service this one depends on could not answer: unreachable, timing out, failing on its side or
 * behind an open circuit. Worth retrying later; a request that meets it gets 503 with Retry-After.
 * A dependency's client module throws it (or a subclass), so the error handler needs to know none
 * of them.
 */
export class DependencyUnavailable extends Error {
  override readonly name: string = 'DependencyUnavailable';
  readonly detail: string;
  readonly retryAfterSeconds: number;

  /** @param dependency what could not answer, e.g. `keycloak` or `user-service`. */
  constructor(
    readonly dependency: string,
    message: string,
    { detail, retryAfterSeconds, cause }: DependencyUnavailableOptions = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.detail = detail ?? 'A service this one depends on is unavailable; try again shortly';
    this.retryAfterSeconds = retryAfterSeconds ?? 2;
  }
}

/** Why a dependency refused a request: what the client sent is invalid, names nothing, or conflicts. */
export type Refusal = 'invalid' | 'not_found' | 'conflict';

/**
 * A dependency answered but refused the request for a reason the client should hear (400, 404 or
 * 409): a password its policy refuses, a user it does not have, an address another account holds.
 */
export class DependencyRefused extends Error {
  override readonly name: string = 'DependencyRefused';
  /** The fields the dependency refused, when it named them. */
  readonly fieldErrors: readonly FieldError[] | undefined;

  /** @param detail what the client is told. */
  constructor(
    readonly refusal: Refusal,
    readonly detail: string,
    options: { readonly fieldErrors?: readonly FieldError[]; readonly cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.fieldErrors = options.fieldErrors;
  }
}
