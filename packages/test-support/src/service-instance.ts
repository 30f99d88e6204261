/**
 * A second instance of a service in the test's own process, for cases that must not disturb the
 * stack's instance (a dependency made unreachable, a database of its own, a consumer on its own queue).
 */
import { createServer } from 'node:net';
import {
  loadConfig,
  startService,
  type RunningService,
  type ServiceConfig,
  type ServiceDefinition,
} from '@platform/kit';
import type { z } from 'zod';
import type { ServiceName } from '@platform/platform/environment';
import { serviceEnv } from '@platform/platform/service-env';
import { environment, secrets } from './stack.js';

/** The environment the stack runs `name` with, on free loopback ports and silent, except for `overrides`. */
export function secondInstanceEnv(
  name: ServiceName,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    ...serviceEnv(name, environment, secrets),
    HOST: '127.0.0.1',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

/** Starts `definition` as service `name` with secondInstanceEnv; stop it with stopSecondInstance. */
export function startSecondInstance<S extends z.ZodObject>(
  name: ServiceName,
  definition: ServiceDefinition<S>,
  { overrides = {}, consumers = false }: { overrides?: Record<string, string>; consumers?: boolean } = {},
): Promise<RunningService> {
  // Every service's schema extends serviceConfigSchema; the generic alone cannot show it.
  const config = loadConfig(definition.configSchema, secondInstanceEnv(name, overrides)) as z.output<S> &
    ServiceConfig;
  return startService(definition, config, { exit: () => undefined, consumers });
}

export async function stopSecondInstance(instance: RunningService | undefined): Promise<void> {
  await instance?.shutdown.shutdown('test');
}

/**
 * Overrides that send a service's Keycloak Admin API and token requests to a loopback port nothing
 * listens on, so they are refused at once; tokens are still checked against the real JWKS.
 */
export async function unreachableKeycloak(): Promise<Record<string, string>> {
  const keycloak = `http://127.0.0.1:${await closedPort()}`;
  return {
    KEYCLOAK_URL: keycloak,
    OIDC_TOKEN_URL: `${keycloak}/realms/${environment.realm}/protocol/openid-connect/token`,
  };
}

/** Bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
