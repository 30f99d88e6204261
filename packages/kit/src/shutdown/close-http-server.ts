import type { Server } from 'node:http';

// How often connections that went idle during the drain are closed.
const idleSweepMs = 100;

/**
 * Stops accepting connections and resolves once in-flight requests are answered and every connection
 * is closed. `server.close()` alone leaves keep-alive connections open until they time out, including
 * those whose request finishes during the drain, so idle connections are swept until the server closes.
 */
export function closeHttpServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), idleSweepMs);
    server.close((error) => {
      clearInterval(sweep);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
