import type { ServiceName } from '@platform/platform/environment';
import { serviceUrl } from './stack.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The JSON body, or `{ text }` when the answer is not JSON. */
  body: Record<string, unknown>;
  /** Milliseconds from sending the request to reading the whole body. */
  elapsedMs: number;
}

export interface CallOptions {
  /** Sent as a bearer token. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, as JSON: for bodies that are not. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Another instance of the service (e.g. one started in-process) instead of the stack's process. */
  base?: string;
}

export type ServiceCall = (method: string, path: string, options?: CallOptions) => Promise<ApiResponse>;

/** A JSON client for one service of the stack. */
export function apiOf(name: ServiceName): ServiceCall {
  return async (method, path, { token, body, rawBody, headers = {}, base = serviceUrl(name) } = {}) => {
    const content = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const started = performance.now();
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(content === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: content,
    });
    const text = await response.text();
    const elapsedMs = performance.now() - started;
    const json =
      response.headers.get('content-type')?.includes('json') && text !== '' ? JSON.parse(text) : { text };
    return {
      status: response.status,
      headers: response.headers,
      body: json as Record<string, unknown>,
      elapsedMs,
    };
  };
}
