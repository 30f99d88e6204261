import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpDrainOptions {
  /**
   * How long a kept-alive connection may sit without a request once the drain has begun before it
   * is closed. A client that keeps sending gets its next request answered (with `Connection:
   * close`) well within it; closing at once would cross that request on the wire and reset it.
   */
  readonly idleGraceMs?: number;
}

export interface HttpDrain {
  /**
   * Stops accepting connections and resolves once every connection is closed: each one after the
   * response it is working on, which says `Connection: close`; one without a request after
   * `idleGraceMs`. Past `forceAfterMs` whatever is still open is destroyed, so the steps after
   * the HTTP server still get their share of the shutdown budget.
   */
  close(options?: { forceAfterMs?: number }): Promise<void>;
}

interface ConnectionState {
  /** Responses not yet finished, in request order (more than one only when the client pipelines). */
  readonly open: Set<ServerResponse>;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Tracks a server's connections from the start, so that shutting it down drops no request.
 * `server.close()` alone destroys every connection that is idle at that instant, and a keep-alive
 * client may already have its next request on the wire: it gets ECONNRESET. Here a connection
 * is closed only after it answered a request with `Connection: close` (so the client knows not to
 * send another) or after it stayed idle for the grace period. Call right after creating the server.
 */
export function trackHttpDrain(server: Server, { idleGraceMs = 1_000 }: HttpDrainOptions = {}): HttpDrain {
  const connections = new Map<Socket, ConnectionState>();
  let draining = false;
  let closing: Promise<void> | undefined;

  const closeWhenIdle = (socket: Socket, state: ConnectionState) => {
    if (state.open.size > 0 || state.idleTimer || socket.destroyed) return;
    state.idleTimer = setTimeout(() => {
      state.idleTimer = undefined;
      if (state.open.size === 0) socket.destroy();
    }, idleGraceMs);
    state.idleTimer.unref();
  };

  const sayClose = (response: ServerResponse) => {
    // Node then ends the connection once this response is written (it is the connection's last).
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };

  server.on('connection', (socket: Socket) => {
    const state: ConnectionState = { open: new Set(), idleTimer: undefined };
    connections.set(socket, state);
    socket.once('close', () => {
      clearTimeout(state.idleTimer);
      connections.delete(socket);
    });
    if (draining) closeWhenIdle(socket, state);
  });

  // First among the 'request' listeners, so the header is set before the app can send its answer.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    const state = connections.get(socket);
    if (!state) return;
    clearTimeout(state.idleTimer);
    state.idleTimer = undefined;
    state.open.add(response);
    if (draining) sayClose(response);
    response.once('close', () => {
      state.open.delete(response);
      // A response that went out before the drain began promised keep-alive: wait for the next
      // request (answered with `Connection: close`) or the grace period, whichever comes first.
      if (draining) closeWhenIdle(socket, state);
    });
  });

  return {
    close({ forceAfterMs } = {}) {
      closing ??= new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        draining = true;
        const force =
          forceAfterMs === undefined
            ? undefined
            : setTimeout(() => server.closeAllConnections(), forceAfterMs).unref();
        // Node's close() first destroys every idle keep-alive connection (httpServerPreClose),
        // which is the reset this module exists to avoid; it still stops the connection checker.
        // Shadowing the method for the duration of the call keeps the rest of close() as it is.
        server.closeIdleConnections = () => undefined;
        try {
          server.close((error) => {
            clearTimeout(force);
            if (error) reject(error);
            else resolve();
          });
        } finally {
          delete (server as Partial<Server>).closeIdleConnections;
        }
        for (const [socket, state] of connections) {
          for (const response of state.open) sayClose(response);
          closeWhenIdle(socket, state);
        }
      });
      return closing;
    },
  };
}
