import { context, propagation } from '@opentelemetry/api';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { Logger as PinoLogger } from 'pino';
import type { EventEnvelope } from '@platform/contracts';
import type { AmqpConnection, ConnectedSubscription } from './amqp-connection.js';
import { PublishError } from './publish-error.js';
import { assertEventsExchange, EVENTS_EXCHANGE } from './topology.js';
import { traceHeaders } from './trace-headers.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface EventPublisherOptions {
  amqp: AmqpConnection;
  logger: Logger;
  /** Sent as the AMQP app-id, so a consumer can see which service published. */
  appId?: string;
  /** How long to wait for the broker's confirm before giving up on a publish. */
  confirmTimeoutMs?: number;
}

interface InFlight {
  returned: boolean;
  settle(error?: PublishError): void;
}

/** Everything tied to one confirm channel; replaced wholesale when the connection is rebuilt. */
interface ChannelState {
  channel: ConfirmChannel;
  /** Publishes awaiting their confirm, by message id, to match 'return' events to them. */
  inFlight: Map<string, InFlight[]>;
  /** Set while the channel's write buffer is full; publishes wait on it. */
  drained: Promise<void> | undefined;
  closed: boolean;
}

/**
 * Publishes event envelopes to `platform.events` and resolves only once the broker has taken
 * responsibility for the message: confirmed, and routed to at least one queue.
 */
export class EventPublisher {
  private readonly logger: Logger;
  private readonly confirmTimeoutMs: number;
  private state: ChannelState | undefined;
  private subscription: ConnectedSubscription | undefined;
  private readonly readyListeners = new Set<() => void>();

  constructor(private readonly options: EventPublisherOptions) {
    this.logger = options.logger;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 30_000;
  }

  /** Opens the confirm channel now if connected, and again after every reconnect. */
  async start(): Promise<void> {
    this.subscription ??= await this.options.amqp.onConnected((connection) => this.open(connection));
  }

  /** True when a publish has a channel to go out on (it may still fail). */
  isReady(): boolean {
    return this.state !== undefined && !this.state.closed;
  }

  /**
   * Calls `listener` whenever a new channel is ready to publish on (at start and after every
   * reconnect), so work held back by an outage can go out at once; returns the unsubscribe.
   */
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => void this.readyListeners.delete(listener);
  }

  async publish(envelope: EventEnvelope): Promise<void> {
    let state = this.requireState(envelope);
    while (state.drained) {
      await state.drained;
      state = this.requireState(envelope);
    }
    const body = Buffer.from(JSON.stringify(envelope));
    const options: Options.Publish = {
      persistent: true,
      mandatory: true,
      messageId: envelope.id,
      type: envelope.type,
      contentType: 'application/json',
      timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
      headers: traceHeaders(envelope.traceContext),
      ...(this.options.appId ? { appId: this.options.appId } : {}),
    };
    // Publishing inside the producer's trace makes any publish span (amqplib instrumentation) a
    // child of the request that created the event, not of whatever loop is relaying it.
    const producerContext = propagation.extract(context.active(), { ...envelope.traceContext });
    await context.with(producerContext, () => this.send(state, envelope, body, options));
  }

  /** Stops re-opening the channel on reconnect and closes the current one. */
  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    const state = this.state;
    this.state = undefined;
    if (state && !state.closed) await state.channel.close().catch(() => undefined);
  }

  private requireState(envelope: EventEnvelope): ChannelState {
    const state = this.state;
    if (!state || state.closed) {
      throw new PublishError(
        'not-connected',
        `not connected to the broker; event ${envelope.id} not published`,
      );
    }
    return state;
  }

  private send(state: ChannelState, envelope: EventEnvelope, body: Buffer, options: Options.Publish) {
    return new Promise<void>((resolve, reject) => {
      const waiting = state.inFlight.get(envelope.id) ?? [];
      state.inFlight.set(envelope.id, waiting);
      let settled = false;
      const entry: InFlight = {
        returned: false,
        settle: (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          waiting.splice(waiting.indexOf(entry), 1);
          if (waiting.length === 0 && state.inFlight.get(envelope.id) === waiting) {
            state.inFlight.delete(envelope.id);
          }
          if (error) reject(error);
          else resolve();
        },
      };
      waiting.push(entry);
      const timer = setTimeout(
        () =>
          entry.settle(
            new PublishError('timeout', `no confirm for event ${envelope.id} in ${this.confirmTimeoutMs} ms`),
          ),
        this.confirmTimeoutMs,
      );

      let accepted: boolean;
      try {
        accepted = state.channel.publish(EVENTS_EXCHANGE, envelope.type, body, options, (error: unknown) => {
          if (!error) {
            // The broker confirms unroutable messages too; the 'return' that came first says so.
            if (entry.returned) {
              entry.settle(
                new PublishError(
                  'unroutable',
                  `no queue is bound for ${envelope.type}; event ${envelope.id}`,
                ),
              );
            } else entry.settle();
          } else if (error instanceof Error && error.message === 'message nacked') {
            entry.settle(new PublishError('nacked', `the broker rejected event ${envelope.id}`));
          } else {
            entry.settle(
              new PublishError(
                'channel-closed',
                `the channel closed before event ${envelope.id} was confirmed`,
                {
                  cause: error,
                },
              ),
            );
          }
        });
      } catch (error) {
        entry.settle(
          new PublishError('channel-closed', `could not publish event ${envelope.id}`, { cause: error }),
        );
        return;
      }
      if (!accepted && !state.drained) {
        state.drained = new Promise<void>((release) => {
          const done = () => {
            state.channel.off('drain', done);
            state.channel.off('close', done);
            state.drained = undefined;
            release();
          };
          state.channel.on('drain', done);
          state.channel.on('close', done);
        });
      }
    });
  }

  private async open(connection: ChannelModel): Promise<void> {
    const channel = await connection.createConfirmChannel();
    const state: ChannelState = { channel, inFlight: new Map(), drained: undefined, closed: false };
    channel.on('error', (error: Error) => {
      this.logger.warn({ err: error }, 'the event publisher channel failed');
      this.options.amqp.recover(connection, error);
    });
    channel.on('return', (message) => {
      const id = String(message.properties.messageId);
      const entry = state.inFlight.get(id)?.find((candidate) => !candidate.returned);
      if (entry) entry.returned = true;
    });
    channel.on('close', () => {
      state.closed = true;
      for (const waiting of [...state.inFlight.values()]) {
        for (const entry of [...waiting]) {
          entry.settle(new PublishError('channel-closed', 'the channel closed before the confirm arrived'));
        }
      }
      if (this.state === state) this.state = undefined;
    });
    await assertEventsExchange(channel);
    this.state = state;
    for (const listener of this.readyListeners) listener();
  }
}
