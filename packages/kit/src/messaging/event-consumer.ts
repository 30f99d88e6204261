import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type {
  Channel,
  ChannelModel,
  ConfirmChannel,
  ConsumeMessage,
  MessagePropertyHeaders,
  Options,
} from 'amqplib';
import type { DataSource } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import { eventEnvelopeSchema, type EventEnvelope } from '@platform/contracts';
import type {
  ConsumerInstruments,
  ConsumerMetrics,
  ConsumerOutcome,
  QueueDepths,
} from '../metrics/consumer-metrics.js';
import { createUnitOfWork, type Transaction, type UnitOfWork } from '../db/unit-of-work.js';
import type { AmqpConnection, ConnectedSubscription } from './amqp-connection.js';
import { applyBatch, BatchHandlerFailure, HandlerFailure } from './consumer-batch.js';
import { SerialBatches } from './serial-batches.js';
import { assertEventsExchange, deadLetterQueueName, EVENTS_EXCHANGE, retryQueueName } from './topology.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * Applies one event. Everything it writes must go through `tx`, the transaction that also records
 * the event as processed: that is what makes it exactly-once.
 */
export type EventHandler = (envelope: EventEnvelope, tx: Transaction) => Promise<void>;

/**
 * Applies several events at once, with the same effect as EventHandler applied to each in order,
 * and under the same rule: everything through `tx`. The events' subjects are distinct, so a
 * set-based statement may write all of them, provided events about different subjects never touch
 * the same rows. A throw fails the whole call; the consumer then applies the events one at a time.
 */
export type BatchEventHandler = (envelopes: readonly EventEnvelope[], tx: Transaction) => Promise<void>;

export interface ConsumerOptions {
  amqp: AmqpConnection;
  dataSource: DataSource;
  /** Identifies this consumer in processed_messages; keep it stable across deploys. */
  consumerName: string;
  queue: string;
  routingKeys: readonly string[];
  handler: EventHandler;
  /**
   * The set-based form of `handler`, used when a batch holds more than one new event: one
   * statement for many events instead of one each. `handler` still applies events alone.
   */
  batchHandler?: BatchEventHandler;
  /** Total handler runs per message, the first delivery included, before it goes to the DLQ. */
  maxAttempts?: number;
  /** How long a message waits in the retry queue after failing attempt `attempt` (1-based). */
  backoffMs?: (attempt: number) => number;
  /**
   * Unacknowledged messages this consumer holds at once (per consumer, not per channel). More than
   * `batchSize`, so that the next batch is already delivered while one commits.
   */
  prefetch?: number;
  /** The most messages applied in one transaction. */
  batchSize?: number;
  logger: Logger;
  /** Counts outcomes and reports the queues' depths on every scrape. */
  metrics?: ConsumerMetrics;
}

export interface ConsumerHandle {
  /**
   * Cancels the consumer, lets the batch in progress finish, and stops re-creating it on reconnect.
   * Messages delivered but not yet started stay unacknowledged: closing the channel returns them
   * to the queue.
   */
  stop(): Promise<void>;
}

/** Header names on retried and dead-lettered messages. */
export const ConsumerHeaders = {
  attempt: 'x-attempt',
  attempts: 'x-attempts',
  failureReason: 'x-failure-reason',
  lastError: 'x-last-error',
  consumer: 'x-consumer',
  originalRoutingKey: 'x-original-routing-key',
} as const;

const defaultBackoffMs = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 60_000);
const defaultPrefetch = 250;
const defaultBatchSize = 100;
const maxReasonLength = 1000;
// Headers RabbitMQ manages when it dead-letters; copying them into a republish would mislead.
const brokerDeathHeaders = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
];

interface ChannelState {
  connection: ChannelModel;
  channel: Channel;
  /** Republishes to the retry queue and DLQ are confirmed before the original is acked. */
  confirmChannel: ConfirmChannel;
  consumerTag: string | undefined;
  /** One republish at a time, so a 'return' can only belong to the message in flight. */
  republishing: Promise<void>;
  returned: boolean;
  /** The consuming channel closed: its unacknowledged messages go back to the queue. */
  closed: boolean;
  /**
   * A message could not be settled and was left unacknowledged on purpose, to come back: from then
   * on this channel acks one message at a time, never "all up to" one.
   */
  leftUnacked: boolean;
}

/** A message as the broker delivered it, waiting for its batch. */
interface Delivery {
  readonly state: ChannelState;
  readonly message: ConsumeMessage;
  /** The context it arrived in: amqplib instrumentation's consume span, when tracing is on. */
  readonly context: Context;
  readonly stopTimer: (() => void) | undefined;
}

/**
 * Declares the consumer's queues, consumes with manual acks, and applies each message at most
 * once per consumer: the processed_messages insert and the handler share one transaction.
 * Deliveries are applied in batches, one batch at a time and in delivery order (so one replica
 * applies a subject's events in the order it received them): one transaction per batch, and a
 * batch that fails is settled one message at a time, each in a transaction of its own.
 */
export async function startConsumer(options: ConsumerOptions): Promise<ConsumerHandle> {
  const consumer = new EventConsumer(options);
  await consumer.start();
  return consumer;
}

class EventConsumer implements ConsumerHandle {
  private readonly logger: Logger;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly batches: SerialBatches<Delivery>;
  private state: ChannelState | undefined;
  private subscription: ConnectedSubscription | undefined;
  private stopped = false;
  private readonly instruments: ConsumerInstruments | undefined;
  private readonly unitOfWork: UnitOfWork;
  private stopObservingQueues: (() => void) | undefined;

  constructor(private readonly options: ConsumerOptions) {
    this.logger = options.logger;
    this.unitOfWork = createUnitOfWork(options.dataSource);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.instruments = options.metrics?.consumer(options.consumerName, options.queue);
    this.batches = new SerialBatches(
      options.batchSize ?? defaultBatchSize,
      (batch) => this.settleBatch(batch),
      (error) => this.logger.error({ err: error, queue: options.queue }, 'a batch of messages failed'),
    );
  }

  async start(): Promise<void> {
    this.subscription = await this.options.amqp.onConnected((connection) => this.open(connection));
    this.stopObservingQueues = this.instruments?.observeQueues(() => this.queueDepths());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.stopObservingQueues?.();
    const state = this.state;
    this.state = undefined;
    if (state?.consumerTag) await state.channel.cancel(state.consumerTag).catch(() => undefined);
    await this.batches.close();
    if (state) {
      await state.channel.close().catch(() => undefined);
      await state.confirmChannel.close().catch(() => undefined);
    }
  }

  private async open(connection: ChannelModel): Promise<void> {
    const { queue, routingKeys } = this.options;
    const channel = await connection.createChannel();
    const confirmChannel = await connection.createConfirmChannel();
    const state: ChannelState = {
      connection,
      channel,
      confirmChannel,
      consumerTag: undefined,
      republishing: Promise.resolve(),
      returned: false,
      closed: false,
      leftUnacked: false,
    };
    channel.on('close', () => {
      state.closed = true;
    });
    for (const ch of [channel, confirmChannel]) {
      ch.on('error', (error: Error) => {
        this.logger.warn({ err: error, queue }, 'a consumer channel failed');
        this.options.amqp.recover(connection, error);
      });
    }
    confirmChannel.on('return', () => {
      state.returned = true;
    });

    await assertEventsExchange(channel);
    await channel.assertQueue(queue, { durable: true });
    // Messages wait here for their own expiration, then RabbitMQ dead-letters them back to the
    // main queue through the default exchange, so a retry reaches only this consumer.
    await channel.assertQueue(retryQueueName(queue), {
      durable: true,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
    });
    await channel.assertQueue(deadLetterQueueName(queue), { durable: true });
    for (const key of routingKeys) await channel.bindQueue(queue, EVENTS_EXCHANGE, key);
    await channel.prefetch(this.options.prefetch ?? defaultPrefetch, false);
    this.state = state;
    const { consumerTag } = await channel.consume(queue, (message) => this.receive(state, message), {
      noAck: false,
    });
    state.consumerTag = consumerTag;
    this.logger.info({ queue, consumer: this.options.consumerName }, 'consuming events');
  }

  private receive(state: ChannelState, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (e.g. the queue was deleted): rebuild to declare and consume again.
      if (this.stopped) return;
      const error = new Error(`the broker cancelled the consumer of ${this.options.queue}`);
      this.logger.warn({ queue: this.options.queue }, error.message);
      this.options.amqp.recover(state.connection, error);
      return;
    }
    const delivery = { state, message, context: context.active(), stopTimer: this.instruments?.startTimer() };
    // Batches run outside any one message's trace; each message's work runs in its own (settle).
    context.with(ROOT_CONTEXT, () => this.batches.push(delivery));
  }

  /**
   * Applies the readable messages of a batch in one transaction, then acks them. When that fails,
   * each is settled on its own as if the batch had never run: through `process`, except the one
   * whose handler threw, which is settled with that failure (its handler does not run twice).
   */
  private async settleBatch(deliveries: Delivery[]): Promise<void> {
    const readable: { delivery: Delivery; envelope: EventEnvelope }[] = [];
    for (const delivery of deliveries) {
      // Its channel is gone: the broker redelivers it on the new one, and acking it here would fail.
      if (delivery.state.closed) continue;
      const read = readEnvelope(delivery.message);
      if (read.ok) readable.push({ delivery, envelope: read.envelope });
      else await this.settle(delivery, () => this.process(delivery.state, delivery.message));
    }
    if (readable.length === 0) return;

    let applied: boolean[];
    try {
      applied = await applyBatch(
        this.unitOfWork,
        this.options.consumerName,
        this.options,
        readable.map(({ delivery, envelope }) => ({ envelope, delivered: delivery.context })),
      );
    } catch (error) {
      const failed = error instanceof BatchHandlerFailure ? error.index : -1;
      if (failed === -1 && readable.length > 1) {
        this.logger.warn(
          { err: error, queue: this.options.queue, messages: readable.length },
          'could not apply a batch of events; settling them one by one',
        );
      }
      for (const [index, { delivery, envelope }] of readable.entries()) {
        await this.settle(delivery, async () => {
          if (index !== failed) return this.process(delivery.state, delivery.message);
          return this.settleFailure(delivery.state, delivery.message, envelope, error);
        });
      }
      return;
    }
    this.ackBatch(readable.map(({ delivery }) => delivery));
    for (const [index, { delivery, envelope }] of readable.entries()) {
      await this.settle(delivery, async () => {
        this.logApplied(envelope, delivery.message, applied[index]!);
        return applied[index] ? 'processed' : 'duplicate';
      });
    }
  }

  /**
   * Acks a committed batch with one "all up to" ack per channel where that is safe: deliveries
   * reach the buffer in delivery-tag order and batches are settled one at a time, so every earlier
   * delivery on the channel was in this batch or an earlier one, and was acked unless it was left
   * unacked on purpose (`leftUnacked`), in which case each message is acked on its own.
   */
  private ackBatch(deliveries: readonly Delivery[]): void {
    const lastOn = new Map<ChannelState, ConsumeMessage>();
    for (const { state, message } of deliveries) {
      if (state.leftUnacked) this.ack(state, message);
      else lastOn.set(state, message);
    }
    for (const [state, message] of lastOn) this.ack(state, message, true);
  }

  /** Runs `work` in the message's own trace, then counts its outcome and stops its timer. */
  private async settle(delivery: Delivery, work: () => Promise<ConsumerOutcome>): Promise<void> {
    try {
      // Not inside `instruments?.counted(...)`: without metrics that would skip the work itself.
      const outcome = await context.with(delivery.context, work);
      this.instruments?.counted(outcome);
    } catch (error) {
      // The copy for the retry queue or DLQ was not confirmed, so the original stays unacked.
      // Rebuilding the connection re-declares the queues and gets it redelivered.
      this.logger.error({ err: error, queue: this.options.queue }, 'could not settle a message');
      delivery.state.leftUnacked = true;
      this.options.amqp.recover(
        delivery.state.connection,
        error instanceof Error ? error : new Error(String(error)),
      );
    } finally {
      delivery.stopTimer?.();
    }
  }

  /** Settles one message and says how; throws only when the message could not be settled. */
  private async process(state: ChannelState, message: ConsumeMessage): Promise<ConsumerOutcome> {
    const attempt = attemptOf(message);
    const read = readEnvelope(message);
    if (!read.ok) {
      // A message that cannot be read will never be readable: no retries.
      const reason = `invalid event envelope: ${read.problem}`;
      this.logger.error(
        { queue: this.options.queue, messageId: message.properties.messageId, reason },
        reason,
      );
      await this.republish(state, deadLetterQueueName(this.options.queue), message, {
        [ConsumerHeaders.failureReason]: truncate(reason),
        [ConsumerHeaders.attempts]: attempt,
      });
      this.ack(state, message);
      return 'dead_lettered';
    }

    const envelope = read.envelope;
    try {
      const applied = await this.apply(envelope);
      this.ack(state, message);
      this.logApplied(envelope, message, applied);
      return applied ? 'processed' : 'duplicate';
    } catch (error) {
      return this.settleFailure(state, message, envelope, error);
    }
  }

  /**
   * Settles a message that could not be applied: to the retry queue, or to the DLQ after its last
   * attempt, then acks it. Only a HandlerFailure uses up an attempt.
   */
  private async settleFailure(
    state: ChannelState,
    message: ConsumeMessage,
    envelope: EventEnvelope,
    error: unknown,
  ): Promise<ConsumerOutcome> {
    const attempt = attemptOf(message);
    const log = { eventId: envelope.id, type: envelope.type, consumer: this.options.consumerName, attempt };
    let outcome: ConsumerOutcome = 'retried';
    if (!(error instanceof HandlerFailure)) {
      // The database failed around the handler (begin, dedupe insert, commit): not the event's
      // fault, so retry later without using up one of its attempts.
      const delayMs = this.delayAfter(attempt);
      this.logger.warn({ ...log, err: error, retryInMs: delayMs }, 'could not apply an event; will retry');
      await this.republish(
        state,
        retryQueueName(this.options.queue),
        message,
        { [ConsumerHeaders.attempt]: attempt, [ConsumerHeaders.lastError]: truncate(errorMessage(error)) },
        String(delayMs),
      );
    } else if (attempt < this.maxAttempts) {
      const delayMs = this.delayAfter(attempt);
      this.logger.warn({ ...log, err: error.cause, retryInMs: delayMs }, 'event handler failed; will retry');
      await this.republish(
        state,
        retryQueueName(this.options.queue),
        message,
        { [ConsumerHeaders.attempt]: attempt + 1, [ConsumerHeaders.lastError]: truncate(error.message) },
        String(delayMs),
      );
    } else {
      this.logger.error(
        { ...log, err: error.cause },
        'event handler failed for the last time; dead-lettering',
      );
      await this.republish(state, deadLetterQueueName(this.options.queue), message, {
        [ConsumerHeaders.failureReason]: truncate(error.message),
        [ConsumerHeaders.attempts]: attempt,
      });
      outcome = 'dead_lettered';
    }
    this.ack(state, message);
    return outcome;
  }

  private logApplied(envelope: EventEnvelope, message: ConsumeMessage, applied: boolean): void {
    const { id: eventId, type } = envelope;
    const log = { eventId, type, consumer: this.options.consumerName, attempt: attemptOf(message) };
    if (applied) this.logger.debug(log, 'applied an event');
    else this.logger.info(log, 'skipped an event already applied');
  }

  /** Read on a short-lived channel: a failed check closes its channel, never the consumer's. */
  private async queueDepths(): Promise<QueueDepths> {
    const connection = this.state?.connection;
    if (!connection) throw new Error('not connected');
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      const { queue } = this.options;
      const [main, retry, deadLetter] = await Promise.all([
        channel.checkQueue(queue),
        channel.checkQueue(retryQueueName(queue)),
        channel.checkQueue(deadLetterQueueName(queue)),
      ]);
      return { main: main.messageCount, retry: retry.messageCount, deadLetter: deadLetter.messageCount };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private delayAfter(attempt: number): number {
    return Math.max(0, Math.round(this.backoffMs(attempt)));
  }

  /**
   * Applies one event as a batch of one; false when this consumer had already applied it (a
   * redelivery or a duplicate).
   */
  private async apply(envelope: EventEnvelope): Promise<boolean> {
    const [applied] = await applyBatch(this.unitOfWork, this.options.consumerName, this.options, [
      { envelope, delivered: context.active() },
    ]);
    return applied!;
  }

  /**
   * Sends a copy of `message` to one of this consumer's queues and waits for the broker's
   * confirm; only then may the original be acked. If this fails the original is left unacked
   * and comes back after a reconnect, which is safe because nothing was committed for it.
   */
  private republish(
    state: ChannelState,
    queue: string,
    message: ConsumeMessage,
    extraHeaders: MessagePropertyHeaders,
    expiration?: string,
  ): Promise<void> {
    const { properties, fields } = message;
    const headers: MessagePropertyHeaders = { ...properties.headers };
    for (const name of brokerDeathHeaders) delete headers[name];
    Object.assign(headers, {
      [ConsumerHeaders.consumer]: this.options.consumerName,
      [ConsumerHeaders.originalRoutingKey]: headers[ConsumerHeaders.originalRoutingKey] ?? fields.routingKey,
      ...extraHeaders,
    });
    const options: Options.Publish = {
      persistent: true,
      mandatory: true,
      headers,
      ...definedProperties({
        contentType: properties.contentType,
        contentEncoding: properties.contentEncoding,
        messageId: properties.messageId,
        correlationId: properties.correlationId,
        type: properties.type,
        timestamp: properties.timestamp,
        appId: properties.appId,
        expiration,
      }),
    };
    const send = () =>
      new Promise<void>((resolve, reject) => {
        state.returned = false;
        try {
          state.confirmChannel.sendToQueue(queue, message.content, options, (error: unknown) => {
            if (error)
              reject(new Error(`the broker did not confirm the message for ${queue}`, { cause: error }));
            else if (state.returned) reject(new Error(`queue ${queue} does not exist; message returned`));
            else resolve();
          });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    const result = state.republishing.then(send);
    state.republishing = result.catch(() => undefined);
    return result;
  }

  /** Acking on a closed channel throws; the message is then redelivered and skipped as a duplicate. */
  private ack(state: ChannelState, message: ConsumeMessage, allUpTo = false): void {
    try {
      state.channel.ack(message, allUpTo);
    } catch (error) {
      this.logger.warn(
        { err: error, queue: this.options.queue },
        'could not ack a message; it will be redelivered',
      );
    }
  }
}

function readEnvelope(
  message: ConsumeMessage,
): { ok: true; envelope: EventEnvelope } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    return { ok: false, problem: `not JSON (${errorMessage(error)})` };
  }
  const parsed = eventEnvelopeSchema.safeParse(json);
  if (parsed.success) return { ok: true, envelope: parsed.data as EventEnvelope };
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || 'envelope'}: ${issue.message}`,
  );
  return { ok: false, problem: problems.join('; ') };
}

function attemptOf(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.[ConsumerHeaders.attempt] ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string): string {
  return text.length > maxReasonLength ? `${text.slice(0, maxReasonLength)}…` : text;
}

function definedProperties<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
