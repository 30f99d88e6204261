import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { jwksReadinessCheck } from '../../src/health/jwks-readiness-check.js';
import { startManagementServer, type ManagementServer } from '../../src/health/management-server.js';
import { createLogger } from '../../src/logging/logger.js';
import type { ReadinessCheck } from '../../src/readiness-check.js';

const logger = createLogger({ name: 'kit-test', level: 'silent' });

const passing = (name: string): ReadinessCheck => ({ name, check: async () => undefined });
const failing = (name: string, message: string): ReadinessCheck => ({
  name,
  check: async () => {
    throw new Error(message);
  },
});

const started: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function start(
  readiness: ReadinessCheck[],
  registry = new Registry(),
  isShuttingDown?: () => boolean,
): Promise<ManagementServer> {
  const management = await startManagementServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    readiness,
    logger,
    checkTimeoutMs: 100,
    isShuttingDown,
  });
  started.push(management);
  return management;
}

async function get(management: ManagementServer, path: string) {
  const response = await fetch(`http://127.0.0.1:${management.port}${path}`);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('management server', () => {
  it('when /healthz is asked, then it answers 200 without running the readiness checks', async () => {
    let checked = 0;
    const management = await start([{ name: 'database', check: async () => void checked++ }]);

    const response = await get(management, '/healthz');

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(checked).toBe(0);
  });

  it('when every check passes, then /readyz answers 200 ready', async () => {
    const management = await start([passing('database'), passing('broker')]);

    const response = await get(management, '/readyz');

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ready', checks: { database: 'ok', broker: 'ok' } });
  });

  it('when a check fails, then /readyz answers 503 naming it and its error', async () => {
    const management = await start([
      passing('database'),
      failing('broker', 'not connected to the message broker'),
    ]);

    const response = await get(management, '/readyz');

    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      status: 'unready',
      checks: { database: 'ok', broker: 'not connected to the message broker' },
    });
  });

  it('when a check hangs, then /readyz answers 503 once the check times out', async () => {
    const management = await start([
      passing('database'),
      { name: 'jwks', check: () => new Promise(() => undefined) },
    ]);

    const response = await get(management, '/readyz');

    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      status: 'unready',
      checks: { database: 'ok', jwks: 'timed out after 100 ms' },
    });
  });

  it('when the service is shutting down, then /readyz answers 503 at once without running the checks', async () => {
    let checked = 0;
    let shuttingDown = false;
    const management = await start(
      [{ name: 'database', check: async () => void checked++ }],
      new Registry(),
      () => shuttingDown,
    );
    expect((await get(management, '/readyz')).status).toBe(200);

    shuttingDown = true;
    const response = await get(management, '/readyz');

    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ status: 'unready', checks: { shutdown: 'shutting down' } });
    expect(checked).toBe(1);
    expect((await get(management, '/healthz')).status).toBe(200);
  });

  it('when /metrics is scraped, then it answers with the registry in its content type', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'kit-test' });
    const management = await start([], registry);

    const response = await get(management, '/metrics');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(response.body).toBe(await registry.metrics());
  });

  it('when a path is unknown, then it answers a 404 problem', async () => {
    const management = await start([]);

    const response = await get(management, '/debug');

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches GET /debug',
      instance: '/debug',
    });
  });
});

describe('JWKS readiness check', () => {
  let jwks: Server;
  let hits = 0;

  async function serveJwks(status: number, body: string): Promise<string> {
    hits = 0;
    jwks = createServer((_req, res) => {
      hits++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    }).listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    started.push({ close: () => void jwks.close() });
    return `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;
  }

  it('when the JWKS has keys, then the check passes and the success is reused for a while', async () => {
    const check = jwksReadinessCheck(await serveJwks(200, JSON.stringify({ keys: [{ kid: 'k1' }] })));

    await check.check();
    await check.check();

    expect(check.name).toBe('jwks');
    expect(hits).toBe(1);
  });

  it('when the JWKS is empty, then the check fails and the failure is not reused', async () => {
    const check = jwksReadinessCheck(await serveJwks(200, JSON.stringify({ keys: [] })));

    await expect(check.check()).rejects.toThrow('the JWKS has no keys');
    await expect(check.check()).rejects.toThrow('the JWKS has no keys');
    expect(hits).toBe(2);
  });

  it('when the endpoint answers an error status, then the check names it', async () => {
    const check = jwksReadinessCheck(await serveJwks(503, '{}'));

    await expect(check.check()).rejects.toThrow('JWKS endpoint answered 503');
  });

  it('when Keycloak goes away after the key set was fetched, then the check passes while the service still holds those keys', async () => {
    const url = await serveJwks(200, JSON.stringify({ keys: [{ kid: 'k1' }] }));
    const held = jwksReadinessCheck(url, { cacheSuccessMs: 0 });
    const expired = jwksReadinessCheck(url, { cacheSuccessMs: 0, keySetHeldMs: 0 });
    await held.check();
    await expired.check();
    await new Promise((resolve) => jwks.close(resolve));

    await expect(held.check()).resolves.toBeUndefined();
    await expect(expired.check()).rejects.toThrow('JWKS endpoint unreachable: ECONNREFUSED');
  });

  it('when nothing listens, then the check says it is unreachable', async () => {
    const url = await serveJwks(200, '{}');
    await new Promise((resolve) => jwks.close(resolve));

    await expect(jwksReadinessCheck(url).check()).rejects.toThrow('JWKS endpoint unreachable: ECONNREFUSED');
  });
});
