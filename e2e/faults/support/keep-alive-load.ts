/**
 * Load over kept-alive connections that counts what a graceful shutdown must not do: fail a
 * request it accepted. Each of `connections` workers owns one keep-alive connection and sends
 * one request after another on it.
 *
 * What counts, and why it is fair: a request is *sent* once it was written to an open connection.
 * It *failed* if it then got a 5xx or no answer (reset, hang-up, timeout). When an answer says
 * `Connection: close`, the worker's next request needs a new connection; during a shutdown that is
 * refused (ECONNREFUSED), which means the request never reached any server: it is counted apart,
 * as *refused*, and the worker stops, as a real client would go to another replica. A kept-alive
 * connection the server closes without saying so, while a request is on the wire, is exactly the
 * failure this counts (ECONNRESET / socket hang up on a reused socket).
 */
import { Agent, request } from 'node:http';

export interface KeepAliveLoadReport {
  readonly sent: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** 5xx answers and requests without an answer, by cause. */
  readonly failed: Readonly<Record<string, number>>;
  readonly failedCount: number;
  /** Responses that carried `Connection: close` (each ends its connection). */
  readonly toldToClose: number;
  /** New connections refused once the server stopped listening: requests never sent. */
  readonly refused: number;
  /** Requests sent after `markAt` was called (e.g. from SIGTERM on). */
  readonly sentAfterMark: number;
}

export interface KeepAliveLoad {
  /** Remembers "now" (e.g. the signal), to count the requests sent from then on. */
  mark(): void;
  /** Resolves when every worker has stopped on its own (its server went away). */
  readonly finished: Promise<void>;
  /** Stops the workers that are still running and reports. */
  stop(): Promise<KeepAliveLoadReport>;
}

interface Outcome {
  status?: number;
  connectionClose?: boolean;
  error?: string;
  /** False only when the connection itself was refused: nothing was written. */
  sent: boolean;
}

export function startKeepAliveLoad(options: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  timeoutMs?: number;
}): KeepAliveLoad {
  let stopping = false;
  let markedAt: number | undefined;
  const byStatus: Record<string, number> = {};
  const failed: Record<string, number> = {};
  let sent = 0;
  let sentAfterMark = 0;
  let toldToClose = 0;
  let refused = 0;
  const agents: Agent[] = [];

  const once = (agent: Agent): Promise<Outcome & { afterMark: boolean }> => {
    const startedAt = Date.now();
    return new Promise<Outcome>((resolve) => {
      const req = request(options.url, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            connectionClose: res.headers.connection === 'close',
            sent: true,
          }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ error: error.code ?? error.message, sent: true }),
        );
      });
      req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.message;
        // A refused connect wrote nothing; anything else happened to a written request.
        resolve({ error: code, sent: !(code === 'ECONNREFUSED' && !req.reusedSocket) });
      });
      req.end();
    }).then((outcome) => ({ ...outcome, afterMark: markedAt !== undefined && startedAt >= markedAt }));
  };

  const worker = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (!stopping) {
      const outcome = await once(agent);
      if (!outcome.sent) {
        refused += 1;
        return;
      }
      sent += 1;
      if (outcome.afterMark) sentAfterMark += 1;
      if (outcome.error !== undefined) {
        failed[outcome.error] = (failed[outcome.error] ?? 0) + 1;
        return;
      }
      const status = String(outcome.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if ((outcome.status ?? 0) >= 500) failed[`http ${status}`] = (failed[`http ${status}`] ?? 0) + 1;
      if (outcome.connectionClose) toldToClose += 1;
    }
  };

  const finished = Promise.all(Array.from({ length: options.connections }, worker)).then(() => undefined);
  return {
    mark: () => void (markedAt = Date.now()),
    finished,
    async stop() {
      stopping = true;
      await finished;
      for (const agent of agents) agent.destroy();
      return {
        sent,
        byStatus,
        failed,
        failedCount: Object.values(failed).reduce((sum, count) => sum + count, 0),
        toldToClose,
        refused,
        sentAfterMark,
      };
    },
  };
}
