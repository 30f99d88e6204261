import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { createShutdown } from '../../src/shutdown/create-shutdown.js';
import { trackHttpDrain, type HttpDrain } from '../../src/shutdown/http-drain.js';
import { createTestApp } from '../test-app.js';

const logger = createLogger({ name: 'kit-test', level: 'silent' });

/** An exit stand-in that resolves with the code, so a test can wait for the process to "exit". */
function fakeExit() {
  let resolveCode: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveCode = resolve));
  const exit = vi.fn((code: number) => resolveCode(code));
  return { exit, exited };
}

function connectionRefused(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error('a new connection was accepted during shutdown'));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

describe('graceful shutdown', () => {
  it('when shutdown begins during a slow request, then it is still answered, new connections are refused and the exit code is 0', async () => {
    let entered: () => void = () => undefined;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { app } = createTestApp((routes) => {
      routes.get('/slow', async (_req, res) => {
        entered();
        await released;
        res.json({ finished: true });
      });
    });
    server = createServer(app);
    const drain = trackHttpDrain(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const { exit, exited } = fakeExit();
    const shutdown = createShutdown({ timeoutMs: 5_000, logger, exit });
    const httpServer = server;
    shutdown.onShutdown('http server', () => drain.close());

    // fetch keeps the connection alive, which is what a drain has to cope with.
    const slowResponse = fetch(`http://127.0.0.1:${port}/slow`);
    await handlerEntered;
    const startedAt = Date.now();
    const done = shutdown.shutdown('test');

    expect(shutdown.isShuttingDown).toBe(true);
    expect(await connectionRefused(port)).toBe('ECONNREFUSED');
    expect(exit).not.toHaveBeenCalled();
    release();
    const response = await slowResponse;
    expect(response.status).toBe(200);
    // The client learns that this connection will not take another request.
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ finished: true });
    await done;
    expect(await exited).toBe(0);
    expect(exit).toHaveBeenCalledTimes(1);
    // The kept-alive connection was closed, rather than waited out (Node's keep-alive timeout is 5 s).
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(httpServer.listening).toBe(false);
  });

  it('when a step outlasts the bound, then the exit code is 1', async () => {
    const { exit, exited } = fakeExit();
    const shutdown = createShutdown({ timeoutMs: 50, logger, exit });
    shutdown.onShutdown('stuck', () => new Promise<void>(() => undefined));

    void shutdown.shutdown('test');

    expect(await exited).toBe(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('when shutdown is asked for twice, then the steps run once, in registration order', async () => {
    const { exit, exited } = fakeExit();
    const shutdown = createShutdown({ timeoutMs: 1_000, logger, exit });
    const ran: string[] = [];
    shutdown.onShutdown('http', () => void ran.push('http'));
    shutdown.onShutdown('messaging', async () => void ran.push('messaging'));
    shutdown.onShutdown('database', () => void ran.push('database'));

    const first = shutdown.shutdown('SIGTERM');
    const second = shutdown.shutdown('SIGINT');

    expect(second).toBe(first);
    await first;
    expect(await exited).toBe(0);
    expect(ran).toEqual(['http', 'messaging', 'database']);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('when a step fails, then the later steps still run and the exit code is 1', async () => {
    const { exit, exited } = fakeExit();
    const shutdown = createShutdown({ timeoutMs: 1_000, logger, exit });
    const ran: string[] = [];
    shutdown.onShutdown('broker', () => {
      throw new Error('channel already closed');
    });
    shutdown.onShutdown('database', () => void ran.push('database'));

    await shutdown.shutdown('test');

    expect(await exited).toBe(1);
    expect(ran).toEqual(['database']);
  });

  it('when signal handlers are installed, then SIGTERM and SIGINT are handled until they are removed', () => {
    const shutdown = createShutdown({ timeoutMs: 1_000, logger, exit: vi.fn() });
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];

    const uninstall = shutdown.installSignalHandlers();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(
      before.map((n) => n + 1),
    );
    uninstall();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
  });

  it('when the server is not listening, then closing it resolves at once', async () => {
    await expect(trackHttpDrain(createServer()).close()).resolves.toBeUndefined();
  });

  it('when a kept-alive client sends its next request just as the drain begins, then it is answered with Connection: close, not reset', async () => {
    const { port, drain } = await startDrainable();
    const client = await rawClient(port);
    expect(await client.get('/ping')).toMatchObject({ status: 200, connection: 'keep-alive' });

    // Both on the same tick: the request is on the wire while the server starts closing. Node's
    // own server.close() destroys this idle connection and the request is reset.
    const closed = drain.close();
    const next = await client.get('/ping');

    expect(next).toMatchObject({ status: 200, connection: 'close' });
    await client.ended;
    await closed;
  });

  it('when a kept-alive connection stays idle during the drain, then it is closed after the grace period', async () => {
    const { port, drain } = await startDrainable({ idleGraceMs: 300 });
    const client = await rawClient(port);
    await client.get('/ping');

    const startedAt = Date.now();
    await drain.close();

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await client.ended;
  });

  it('when a request hangs past forceAfterMs, then its connection is cut and the drain ends', async () => {
    const { port, drain } = await startDrainable();
    const client = await rawClient(port);
    client.send('/hang');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const startedAt = Date.now();
    await drain.close({ forceAfterMs: 200 });

    expect(Date.now() - startedAt).toBeLessThan(1_500);
    await client.ended;
  });
});

async function startDrainable(
  options: { idleGraceMs?: number } = {},
): Promise<{ port: number; drain: HttpDrain }> {
  const { app } = createTestApp((routes) => {
    routes.get('/ping', (_req, res) => void res.json({ pong: true }));
    routes.get('/hang', () => undefined);
  });
  server = createServer(app);
  const drain = trackHttpDrain(server, options);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, drain };
}

interface RawResponse {
  status: number;
  connection: string | undefined;
}

/**
 * One kept-alive connection written by hand, so a test decides exactly when each request goes
 * out; `ended` resolves when the server closes it (a reset rejects).
 */
async function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let buffered = '';
  let waiting: ((response: RawResponse) => void) | undefined;
  const ended = new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1 || !waiting) return;
    const head = buffered.slice(0, end).split('\r\n');
    const headers = new Map(
      head
        .slice(1)
        .map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
    );
    const length = Number(headers.get('content-length') ?? 0);
    if (buffered.length < end + 4 + length) return;
    buffered = buffered.slice(end + 4 + length);
    const resolve = waiting;
    waiting = undefined;
    resolve({ status: Number(head[0]?.split(' ')[1]), connection: headers.get('connection') });
  });
  const send = (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
  return {
    send,
    ended,
    get(path: string): Promise<RawResponse> {
      const response = new Promise<RawResponse>((resolve, reject) => {
        waiting = resolve;
        ended.then(() => reject(new Error(`the connection closed before ${path} was answered`)), reject);
      });
      send(path);
      return response;
    },
  };
}
