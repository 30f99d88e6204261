import { loadConfig, startService, type RunningService } from '@platform/kit';
import { serviceEnv } from '../../../../dev/service-env.js';
import { environment, secrets, serviceUrl } from '../../../../e2e/support/stack.js';
import { userConfigSchema } from '../../src/config.js';
import { service } from '../../src/service.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Calls the user service (the stack's process unless `base` names another instance). */
export async function call(
  method: string,
  path: string,
  {
    token,
    body,
    headers = {},
    base = serviceUrl('user'),
  }: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    base?: string;
  } = {},
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

/**
 * A second user service in this process, on free ports, with the stack's configuration except for
 * `overrides`; it takes no messages from the stack instance's queues. Stop it with stopInstance.
 */
export function startInstance(overrides: Record<string, string> = {}): Promise<RunningService> {
  const config = loadConfig(userConfigSchema, {
    ...serviceEnv('user', environment, secrets),
    HOST: '127.0.0.1',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  return startService(service, config, { exit: () => undefined, consumers: false });
}

export async function stopInstance(instance: RunningService | undefined): Promise<void> {
  await instance?.shutdown.shutdown('test');
}
