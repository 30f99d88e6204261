import { NetworkError } from '@keycloak/keycloak-admin-client';
import { Histogram, type Registry } from 'prom-client';
import { isTransportFailure, KeycloakUnavailable } from '../keycloak/keycloak-unavailable.js';

/**
 * How an Admin API call ended. `client_error` is Keycloak refusing the request (404, 409, a
 * password policy), usually the caller's doing; `server_error` and `unavailable` are Keycloak's.
 */
export type KeycloakCallOutcome = 'success' | 'client_error' | 'server_error' | 'unavailable' | 'error';

export interface KeycloakAdminMetrics {
  /** Runs one Admin API call (e.g. `users.find`), timing it and counting how it ended. */
  timed<T>(operation: string, call: () => Promise<T>): Promise<T>;
}

export function createKeycloakAdminMetrics(registry: Registry): KeycloakAdminMetrics {
  const duration = new Histogram({
    name: 'app_keycloak_admin_request_duration_seconds',
    help: 'Keycloak Admin API calls, by operation (resource.method) and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    async timed(operation, call) {
      const stop = duration.startTimer({ operation });
      try {
        const result = await call();
        stop({ outcome: 'success' });
        return result;
      } catch (error) {
        stop({ outcome: keycloakCallOutcome(error) });
        throw error;
      }
    },
  };
}

export function keycloakCallOutcome(error: unknown): KeycloakCallOutcome {
  if (error instanceof KeycloakUnavailable || isTransportFailure(error)) return 'unavailable';
  if (error instanceof NetworkError) return error.response.status >= 500 ? 'server_error' : 'client_error';
  return 'error';
}
