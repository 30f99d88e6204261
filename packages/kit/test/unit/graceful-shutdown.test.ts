import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { closeHttpServer } from '../../src/shutdown/close-http-server.js';
import { createShutdown } from '../../src/shutdown/create-shutdown.js';
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
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const { exit, exited } = fakeExit();
    const shutdown = createShutdown({ timeoutMs: 5_000, logger, exit });
    const httpServer = server;
    shutdown.onShutdown('http server', () => closeHttpServer(httpServer));

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
    await expect(closeHttpServer(createServer())).resolves.toBeUndefined();
  });
});
