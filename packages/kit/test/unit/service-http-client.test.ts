import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DependencyUnavailable } from '../../src/errors/dependency-errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { ServiceHttpClient } from '../../src/service-client/service-http-client.js';

/** Hands out numbered tokens; `invalidate` moves to the next one, as a fresh fetch would. */
class NumberedTokens {
  current = 1;
  async getAccessToken(): Promise<string> {
    return `token-${this.current}`;
  }
  invalidate(): void {
    this.current += 1;
  }
}

type Answer = (authorization: string | undefined) => { status: number; body?: unknown };

const servers: Server[] = [];

async function callee(answer: Answer): Promise<{ url: string; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.url} ${req.headers.authorization ?? ''}`);
    const { status, body } = answer(req.headers.authorization);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, calls };
}

function clientOf(baseUrl: string, tokens = new NumberedTokens()) {
  const client = new ServiceHttpClient({
    name: 'ledger',
    baseUrl,
    tokens,
    timeoutMs: 1_000,
    logger: createLogger({ name: 'test', level: 'silent' }),
    retries: 1,
  });
  return { client, tokens };
}

/** What getJson rejected with. */
function failureOf(url: string): Promise<unknown> {
  return clientOf(url)
    .client.getJson('entries/7')
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('ServiceHttpClient', () => {
  it('when the callee answers, then its JSON comes back, fetched below the base URL with the service token', async () => {
    const { url, calls } = await callee(() => ({ status: 200, body: { id: 7 } }));

    expect(await clientOf(url).client.getJson('entries/7')).toEqual({ id: 7 });
    expect(calls).toEqual(['/api/entries/7 Bearer token-1']);
  });

  it('when the callee answers 404, then null', async () => {
    const { url } = await callee(() => ({ status: 404 }));

    expect(await clientOf(url).client.getJson('entries/7')).toBeNull();
  });

  it('when the callee refuses the cached token, then the call is repeated once with a fresh one', async () => {
    const { url, calls } = await callee((authorization) =>
      authorization === 'Bearer token-1' ? { status: 401 } : { status: 200, body: { id: 7 } },
    );
    const { client, tokens } = clientOf(url);

    expect(await client.getJson('entries/7')).toEqual({ id: 7 });
    expect(tokens.current).toBe(2);
    expect(calls).toEqual(['/api/entries/7 Bearer token-1', '/api/entries/7 Bearer token-2']);
  });

  it('when the callee fails on its side, then the call is retried and ends as DependencyUnavailable', async () => {
    const { url, calls } = await callee(() => ({ status: 503 }));

    expect(await failureOf(url)).toMatchObject({ name: 'DependencyUnavailable', dependency: 'ledger' });
    expect(calls).toHaveLength(2);
  });

  it('when the callee refuses the request, then a plain error, not retried', async () => {
    const { url, calls } = await callee(() => ({ status: 403 }));
    const failure = await failureOf(url);

    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(DependencyUnavailable);
    expect(calls).toHaveLength(1);
  });
});
