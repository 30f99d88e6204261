import type { EventEmitter } from 'node:events';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import { backoffDelay, pause, type BackoffOptions } from './backoff.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** The channel the outbox trigger notifies on every insert (migration NotifyOutboxInserts). */
export const outboxChannel = 'outbox_events';

export interface OutboxListenerOptions {
  dataSource: DataSource;
  logger: Logger;
  /** Called for every notification, and once each time listening (re)starts. */
  onNotify: () => void;
  /** How long to wait before listening again after the connection failed. */
  backoff: BackoffOptions;
}

/**
 * Holds one connection of the pool that LISTENs on the outbox channel. It only shortens waits: when
 * the connection fails, it is released and opened again later with backoff, and meanwhile the relay
 * polls as it always does. Each (re)start notifies once, for what was committed while not listening.
 */
export class OutboxListener {
  private stopping: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: OutboxListenerOptions) {}

  start(): void {
    if (this.running) return;
    const stopping = new AbortController();
    this.stopping = stopping;
    this.running = this.loop(stopping.signal);
  }

  /** Stops listening and gives the connection back to the pool. */
  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.running;
    this.running = undefined;
    this.stopping = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const lost = await this.listen(signal);
        if (!lost) return;
        failures = 1;
        this.options.logger.warn({ err: lost }, 'the outbox listener lost its connection; polling meanwhile');
      } catch (error) {
        failures += 1;
        this.options.logger.warn({ err: error }, 'the outbox listener could not listen; polling meanwhile');
      }
      await pause(backoffDelay(failures, this.options.backoff), signal);
    }
  }

  /**
   * Listens until the connection fails (resolves with why) or `signal` aborts (resolves undefined,
   * the connection given back).
   */
  private async listen(signal: AbortSignal): Promise<Error | undefined> {
    const runner = this.options.dataSource.createQueryRunner();
    try {
      // The pool's node-postgres client: TypeORM releases it to the pool, destroyed, when it fails.
      const client = (await runner.connect()) as EventEmitter;
      if (signal.aborted) return undefined;
      const lost = connectionLost(client);
      const onNotification = (notification: { channel: string }) => {
        if (notification.channel === outboxChannel) this.options.onNotify();
      };
      client.on('notification', onNotification);
      try {
        await runner.query(`LISTEN ${outboxChannel}`);
        this.options.logger.debug({ channel: outboxChannel }, 'listening for outbox commits');
        this.options.onNotify();
        const outcome = await Promise.race([lost.promise, aborted(signal)]);
        if (outcome !== undefined) return outcome;
        // Back to the pool: the next user of this connection must not receive our notifications.
        await runner.query(`UNLISTEN ${outboxChannel}`).catch(() => undefined);
        return undefined;
      } finally {
        client.off('notification', onNotification);
        lost.dispose();
      }
    } finally {
      await release(runner);
    }
  }
}

/** Resolves with the error when the connection fails or ends; `dispose` removes its listeners. */
function connectionLost(client: EventEmitter): { promise: Promise<Error>; dispose: () => void } {
  let onError: (error: Error) => void = () => undefined;
  let onEnd: () => void = () => undefined;
  const promise = new Promise<Error>((resolve) => {
    onError = resolve;
    onEnd = () => resolve(new Error('the database closed the connection'));
  });
  client.on('error', onError);
  client.on('end', onEnd);
  return {
    promise,
    dispose: () => {
      client.off('error', onError);
      client.off('end', onEnd);
    },
  };
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

async function release(runner: QueryRunner): Promise<void> {
  await runner.release().catch(() => undefined);
}
