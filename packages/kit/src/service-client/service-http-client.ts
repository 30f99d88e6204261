import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { DependencyUnavailable } from '../errors/dependency-errors.js';
import { retryOnceWithFreshToken, type AccessTokens } from '../keycloak/fresh-token-retry.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/create-metrics.js';

export interface ServiceHttpClientOptions {
  /** The service called, e.g. `user-service`: names its circuit (metric and logs) and its failures. */
  readonly name: string;
  readonly baseUrl: string;
  /** The calling service's own token, e.g. ClientCredentialsTokens.fromConfig(config). */
  readonly tokens: AccessTokens;
  /** Bound on one attempt. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Retries after the first attempt, with jittered exponential backoff. */
  readonly retries?: number;
  /** Consecutive failures that open the circuit. */
  readonly failuresToOpen?: number;
  /** How long the circuit stays open before one trial call may pass. */
  readonly halfOpenAfterMs?: number;
  /** Reports the circuit's state as `app_circuit_breaker_state{circuit=<name>}`. */
  readonly metrics?: Pick<Metrics, 'circuitBreaker'>;
}

/** The callee answered 401: it no longer accepts the token (its keys changed, or it expired in flight). */
class TokenRefused extends Error {}

/**
 * Another service's API, called with this service's own token. Each attempt is bounded by a
 * timeout; a 401 is retried once with a fresh token (retryOnceWithFreshToken); failures that say
 * "not now" (unreachable, 429, 5xx, timeout) are retried a few times with jittered backoff and
 * counted by a circuit breaker, so that an outage costs callers one fast failure instead of a pile
 * of waiting requests. Those failures surface as DependencyUnavailable; callers decide what
 * waiting means.
 */
export class ServiceHttpClient {
  private readonly policy: IPolicy;

  constructor(private readonly options: ServiceHttpClientOptions) {
    // Only the callee's own "not now" is retried or counted by the breaker: a 403, a malformed
    // answer or a token endpoint that is down will not get better by asking the callee again.
    const transient = handleWhen(
      (error) =>
        error instanceof TaskCancelledError ||
        (error instanceof DependencyUnavailable && error.dependency === options.name),
    );
    const breaker = circuitBreaker(transient, {
      halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.failuresToOpen ?? 5),
    });
    const gauge = options.metrics?.circuitBreaker(options.name);
    breaker.onStateChange((state) => {
      gauge?.record(CircuitState[state]);
      const level = state === CircuitState.Closed ? 'info' : 'warn';
      options.logger[level]({ circuit: CircuitState[state] }, `${options.name} circuit changed state`);
    });
    this.policy = wrap(
      retry(transient, {
        maxAttempts: options.retries ?? 2,
        // Decorrelated jitter (cockatiel's default generator) spreads retries of many callers apart.
        backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 1_000 }),
      }),
      breaker,
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  /**
   * GETs `path` (relative to the base URL) and answers its JSON body, or null when the callee
   * answers 404. Any other refusal is a bug on one side or the other and throws a plain Error.
   */
  async getJson(path: string): Promise<unknown> {
    try {
      return await this.policy.execute(({ signal }) =>
        retryOnceWithFreshToken(
          this.options.tokens,
          () => this.attempt(this.urlOf(path), signal),
          (error) => error instanceof TokenRefused,
        ).catch((error: unknown) => {
          if (!(error instanceof TokenRefused)) throw error;
          throw this.unavailable(`${this.options.name} refused the token twice (401)`, error);
        }),
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw this.unavailable(`the ${this.options.name} circuit is open`, error);
      if (error instanceof TaskCancelledError) {
        throw this.unavailable(`${this.options.name} did not answer in ${this.options.timeoutMs} ms`, error);
      }
      throw error;
    }
  }

  /** `path` below the base URL, whether or not the base URL ends in a slash. */
  private urlOf(path: string): URL {
    const { baseUrl } = this.options;
    return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  private async attempt(url: URL, signal: AbortSignal): Promise<unknown> {
    const token = await this.options.tokens.getAccessToken();
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw this.unavailable(`${this.options.name} is unreachable: ${(error as Error).message}`, error);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (response.status === 401) {
      await response.body?.cancel();
      throw new TokenRefused(`${this.options.name} refused the token (401)`);
    }
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel();
      throw this.unavailable(`${this.options.name} answered ${response.status}`);
    }
    if (!response.ok) {
      throw new Error(`${this.options.name} answered ${response.status}: ${await response.text()}`);
    }
    return response.json();
  }

  private unavailable(message: string, cause?: unknown): DependencyUnavailable {
    return new DependencyUnavailable(this.options.name, message, { cause });
  }
}
