import { loadConfig, startService, type RunningService, type ServiceDefinition } from '@platform/kit';
import { serviceEnv } from '../../../../dev/service-env.js';
import { environment, secrets, serviceUrl } from '../../../../e2e/support/stack.js';
import { billingConfigSchema } from '../../src/config.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Calls the billing service (the stack's process unless `base` names another instance). */
export async function call(
  method: string,
  path: string,
  {
    token,
    body,
    headers = {},
    base = serviceUrl('billing'),
  }: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {},
): Promise<ApiResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json =
    response.headers.get('content-type')?.includes('json') && text !== '' ? JSON.parse(text) : { text };
  return { status: response.status, headers: response.headers, body: json as Record<string, unknown> };
}

/** The environment the stack runs billing with, for a second instance in this process. */
export function billingEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...serviceEnv('billing', environment, secrets),
    HOST: '127.0.0.1',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

/**
 * A second billing service in this process, on free ports, with the stack's configuration except
 * for `overrides`. Its consumers run only when the definition has them; stop it with shutdown.
 */
export function startBillingInstance(
  definition: ServiceDefinition<typeof billingConfigSchema>,
  overrides: Record<string, string> = {},
): Promise<RunningService> {
  const config = loadConfig(billingConfigSchema, billingEnvironment(overrides));
  return startService(definition, config, { exit: () => undefined, consumers: true });
}
