import { connect, type ChannelModel } from 'amqplib';
import type { Logger as PinoLogger } from 'pino';
import { backoffDelay, pause } from './backoff.js';
import { brokerAddress, isUnreachable, portAccepts, type BrokerAddress } from './broker-port-probe.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** Re-creates what a component needs on a fresh connection: its channels, topology and consumers. */
export type ConnectedCallback = (connection: ChannelModel) => Promise<void>;

export interface ConnectedSubscription {
  unsubscribe(): void;
}

export interface AmqpConnectionOptions {
  url: string;
  logger: Logger;
  /** Shown by `rabbitmqctl list_connections` and the management UI, to tell replicas apart. */
  connectionName?: string;
  /** First reconnect delay; later ones double up to `maxDelayMs`, with jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long one TCP + AMQP handshake may take before it counts as failed. */
  connectTimeoutMs?: number;
  /**
   * While the broker's port refuses connections, how often to knock on it (a bare TCP connect) so
   * that the reconnect follows within this long of the broker coming back, whatever the backoff.
   */
  probeIntervalMs?: number;
}

interface Registration {
  callback: ConnectedCallback;
  /** The connection generation this callback last ran for, so each runs exactly once per connection. */
  generation: number;
}

/**
 * One long-lived AMQP connection that heals itself. amqplib leaves a lost connection dead and
 * knows nothing about the channels, exchanges, queues and consumers built on it, so this class
 * owns the reconnect loop and replays every registered `onConnected` callback on each new
 * connection. The connection only counts as connected once all callbacks have succeeded.
 *
 * Retries back off exponentially, but an unreachable broker (its port refuses) is not what the
 * backoff protects: knocking on a closed port costs it nothing. So while the port refuses, it is
 * probed every `probeIntervalMs` and the reconnect starts as soon as it accepts, with the backoff
 * started afresh; failures of a broker that does answer (a refused login, a failing setup) keep
 * backing off up to `maxDelayMs`.
 */
export class AmqpConnection {
  private readonly logger: Logger;
  private readonly address: BrokerAddress;
  private readonly registrations = new Set<Registration>();
  private readonly closing = new AbortController();
  private current: ChannelModel | undefined;
  private generation = 0;
  private ready = false;
  private loop: Promise<void> | undefined;
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(private readonly options: AmqpConnectionOptions) {
    this.logger = options.logger;
    this.address = brokerAddress(options.url);
  }

  /** Starts connecting (once) and resolves when connected; keeps retrying until `close()`. */
  connect(): Promise<void> {
    if (this.closing.signal.aborted) return Promise.reject(new Error('the AMQP connection is closed'));
    if (this.ready) return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.loop ??= this.run();
    return connected;
  }

  isConnected(): boolean {
    return this.ready;
  }

  /**
   * Registers a callback for every (re)connection. When already connected it runs right away and
   * its failure rejects this call, so a broken setup surfaces at startup rather than in a log line.
   */
  async onConnected(callback: ConnectedCallback): Promise<ConnectedSubscription> {
    const registration: Registration = { callback, generation: 0 };
    const subscription = { unsubscribe: () => void this.registrations.delete(registration) };
    const connection = this.current;
    if (!this.ready || !connection) {
      this.registrations.add(registration);
      return subscription;
    }
    registration.generation = this.generation;
    this.registrations.add(registration);
    try {
      await callback(connection);
    } catch (error) {
      this.registrations.delete(registration);
      throw error;
    }
    return subscription;
  }

  /**
   * Drops `connection` so the loop rebuilds everything. Used when a channel dies on its own
   * (a channel-level error leaves the connection up but the component's channel gone).
   */
  recover(connection: ChannelModel, reason: Error): void {
    if (this.current !== connection || this.closing.signal.aborted) return;
    this.logger.warn({ err: reason }, 'an AMQP channel failed; reconnecting to rebuild channels');
    connection.close().catch(() => undefined);
  }

  /** Closes the connection for good: no reconnect follows. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return this.loop;
    this.closing.abort();
    this.ready = false;
    const connection = this.current;
    this.current = undefined;
    if (connection) await connection.close().catch(() => undefined);
    await this.loop;
    this.rejectWaiters(new Error('the AMQP connection was closed before it connected'));
  }

  private async run(): Promise<void> {
    const backoff = {
      initialMs: this.options.initialDelayMs ?? 500,
      maxMs: this.options.maxDelayMs ?? 30_000,
    };
    let failures = 0;
    while (!this.closing.signal.aborted) {
      let connection: ChannelModel | undefined;
      try {
        connection = await connect(this.options.url, {
          timeout: this.options.connectTimeoutMs ?? 10_000,
          clientProperties: this.options.connectionName
            ? { connection_name: this.options.connectionName }
            : {},
        });
        const opened: ChannelModel = connection;
        const lost = new Promise<Error | undefined>((resolve) => opened.once('close', resolve));
        // Without an 'error' listener an EventEmitter throws. The 'close' that follows carries the
        // same error and drives the loop, so this only adds detail at debug level.
        opened.on('error', (error: Error) => this.logger.debug({ err: error }, 'AMQP connection error'));
        opened.on('blocked', (reason: string) =>
          this.logger.warn({ reason }, 'the broker blocked publishing on this connection'),
        );
        opened.on('unblocked', () => this.logger.info('the broker unblocked publishing on this connection'));
        if (this.closing.signal.aborted) {
          await opened.close().catch(() => undefined);
          break;
        }
        this.current = opened;
        this.generation += 1;
        await this.runCallbacks(opened, this.generation);
        this.ready = true;
        failures = 0;
        this.logger.info('connected to the message broker');
        this.resolveWaiters();

        const reason = await lost;
        this.ready = false;
        this.current = undefined;
        if (this.closing.signal.aborted) break;
        this.logger.warn({ err: reason }, 'lost the connection to the message broker; reconnecting');
        await pause(backoffDelay(1, backoff), this.closing.signal);
      } catch (error) {
        this.ready = false;
        this.current = undefined;
        if (connection) await connection.close().catch(() => undefined);
        if (this.closing.signal.aborted) break;
        failures += 1;
        const delayMs = backoffDelay(failures, backoff);
        const unreachable = isUnreachable(error);
        this.logger.warn(
          { err: error, attempt: failures, delayMs, unreachable },
          'could not connect to the message broker; retrying',
        );
        if (!unreachable) await pause(delayMs, this.closing.signal);
        else if (await this.waitForPort(delayMs)) {
          this.logger.info('the message broker accepts connections again; reconnecting now');
          failures = 0;
        }
      }
    }
  }

  /**
   * Waits up to `delayMs` for the broker's port to accept a connection; true when it did (the
   * broker is back), false when the delay ran out or the connection is closing.
   */
  private async waitForPort(delayMs: number): Promise<boolean> {
    const deadline = Date.now() + delayMs;
    const interval = this.options.probeIntervalMs ?? 200;
    const signal = this.closing.signal;
    while (!signal.aborted && Date.now() < deadline) {
      await pause(Math.min(interval, Math.max(0, deadline - Date.now())), signal);
      if (signal.aborted) return false;
      if (await portAccepts(this.address, Math.min(1_000, interval * 5))) return true;
    }
    return false;
  }

  /** Runs every callback not yet run for this connection, including ones registered meanwhile. */
  private async runCallbacks(connection: ChannelModel, generation: number): Promise<void> {
    for (;;) {
      const pending = [...this.registrations].filter((entry) => entry.generation !== generation);
      if (pending.length === 0) return;
      for (const registration of pending) {
        registration.generation = generation;
        await registration.callback(connection);
      }
    }
  }

  private resolveWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}
