import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { scrapeTimeRead } from './scrape-time-read.js';

/**
 * What became of one delivered message: applied, skipped as already applied, sent to the retry
 * queue, or sent to the dead-letter queue.
 */
export type ConsumerOutcome = 'processed' | 'duplicate' | 'retried' | 'dead_lettered';
const outcomes: readonly ConsumerOutcome[] = ['processed', 'duplicate', 'retried', 'dead_lettered'];

/** Messages waiting in a consumer's three queues. */
export interface QueueDepths {
  readonly main: number;
  readonly retry: number;
  readonly deadLetter: number;
}

export interface ConsumerInstruments {
  counted(outcome: ConsumerOutcome): void;
  /** Starts timing one message; call the result once it is settled. */
  startTimer(): () => void;
  /** Reads the queue depths on every scrape; the returned function stops that. */
  observeQueues(read: () => Promise<QueueDepths>): () => void;
}

export interface ConsumerMetrics {
  /** One consumer's instruments. Every outcome starts at zero, so rates exist before the first message. */
  consumer(name: string, queue: string): ConsumerInstruments;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  const messages = new Counter({
    name: 'app_consumer_messages_total',
    help: 'Messages a consumer settled, by outcome: processed, duplicate, retried or dead_lettered.',
    labelNames: ['consumer', 'queue', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'app_consumer_processing_duration_seconds',
    help: 'Time from delivery to settling a message (handler, dedupe and any republish).',
    labelNames: ['consumer', 'queue'] as const,
    registers: [registry],
  });
  const readers = new Map<string, () => Promise<QueueDepths>>();
  const depth: Gauge<'queue' | 'kind'> = new Gauge({
    name: 'app_consumer_queue_messages',
    help: 'Messages waiting in a consumer queue, by kind: main, retry or dead_letter.',
    labelNames: ['queue', 'kind'] as const,
    registers: [registry],
    async collect() {
      // Re-filled on every scrape: a queue that could not be read reports nothing, not an old figure.
      depth.reset();
      await Promise.all(
        [...readers].map(async ([queue, read]) => {
          try {
            const depths = await read();
            depth.set({ queue, kind: 'main' }, depths.main);
            depth.set({ queue, kind: 'retry' }, depths.retry);
            depth.set({ queue, kind: 'dead_letter' }, depths.deadLetter);
          } catch {
            // The broker is away: the gauges stay empty, and the connection's own alerts speak.
          }
        }),
      );
    },
  });
  return {
    consumer(name, queue) {
      for (const outcome of outcomes) messages.inc({ consumer: name, queue, outcome }, 0);
      return {
        counted: (outcome) => messages.inc({ consumer: name, queue, outcome }),
        startTimer: () => {
          const stop = duration.startTimer({ consumer: name, queue });
          return () => void stop();
        },
        observeQueues(read) {
          const shared = scrapeTimeRead(read, 2_000);
          readers.set(queue, shared);
          return () => {
            if (readers.get(queue) === shared) readers.delete(queue);
          };
        },
      };
    },
  };
}
