import type { CircuitBreakerGauge, Logger } from '@platform/kit';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleType,
  type IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { z } from 'zod';
import { UserServiceUnavailable, type UserProfile } from '../domain/profile-directory.js';

/** The service's own client-credentials token; the kit's ClientCredentialsTokens fits. */
export interface AccessTokenSource {
  getAccessToken(): Promise<string>;
  invalidate(): void;
}

export interface UserServiceClientOptions {
  readonly baseUrl: string;
  readonly tokens: AccessTokenSource;
  /** Bound on one attempt. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Retries after the first attempt, with jittered exponential backoff. */
  readonly retries?: number;
  /** Consecutive failures that open the circuit. */
  readonly failuresToOpen?: number;
  /** How long the circuit stays open before one trial call may pass. */
  readonly halfOpenAfterMs?: number;
  /** Reports the circuit's state as a metric (`app_circuit_breaker_state`). */
  readonly circuit?: CircuitBreakerGauge;
}

/** What `/internal/users/by-subject/{sub}` answers; only the fields billing uses are read. */
const internalUserSchema = z.looseObject({
  username: z.string().nullish(),
  displayName: z.string().nullish(),
  status: z.enum(['active', 'suspended', 'deleted']).optional(),
});

/**
 * The user service's internal API, called with billing's own client-credentials token. Each
 * call is bounded by a timeout, retried a few times with jittered backoff, and guarded by a
 * circuit breaker so that an outage costs callers one fast failure instead of a pile of
 * waiting requests. Failures surface as UserServiceUnavailable; callers decide what waiting means.
 */
export class UserServiceClient {
  private readonly policy: IPolicy;

  constructor(private readonly options: UserServiceClientOptions) {
    // Only failures that say "not now" are retried or counted by the breaker; a 403 or a
    // malformed answer will not get better by asking again.
    const transient = handleType(UserServiceUnavailable).orType(TaskCancelledError);
    const breaker = circuitBreaker(transient, {
      halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.failuresToOpen ?? 5),
    });
    breaker.onStateChange((state) => {
      options.circuit?.record(CircuitState[state]);
      const level = state === CircuitState.Closed ? 'info' : 'warn';
      options.logger[level]({ circuit: CircuitState[state] }, 'user service circuit changed state');
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

  /** The user's profile, or null when the user service does not know the subject. */
  async profileBySubject(subject: string): Promise<UserProfile | null> {
    try {
      return await this.policy.execute(({ signal }) => this.fetchProfile(subject, signal));
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new UserServiceUnavailable('the user service circuit is open', { cause: error });
      }
      if (error instanceof TaskCancelledError) {
        throw new UserServiceUnavailable(`the user service did not answer in ${this.options.timeoutMs} ms`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  private async fetchProfile(subject: string, signal: AbortSignal): Promise<UserProfile | null> {
    const url = new URL(
      `internal/users/by-subject/${encodeURIComponent(subject)}`,
      withSlash(this.options.baseUrl),
    );
    const token = await this.options.tokens.getAccessToken();
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new UserServiceUnavailable(`the user service is unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (response.status === 401) {
      // Keycloak may have rotated keys or the token expired in flight: fetch a new one on the retry.
      this.options.tokens.invalidate();
      await response.body?.cancel();
      throw new UserServiceUnavailable('the user service refused billing’s token (401)');
    }
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel();
      throw new UserServiceUnavailable(`the user service answered ${response.status}`);
    }
    if (!response.ok) {
      throw new Error(`the user service answered ${response.status}: ${await response.text()}`);
    }
    const user = internalUserSchema.parse(await response.json());
    return {
      userId: subject,
      username: user.username ?? null,
      displayName: user.displayName ?? null,
      status: user.status ?? 'active',
    };
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
