import type { Channel } from 'amqplib';

/** The one durable topic exchange all domain events are published to; routing key = event type. */
export const EVENTS_EXCHANGE = 'platform.events';

/**
 * Where events go that no consumer's binding matches (the events exchange's alternate exchange).
 * Without it a publish nobody listens to yet would come back unroutable and sit in the outbox
 * forever; with it the event is kept in `platform.events.unrouted`, where an operator can inspect
 * or shovel it once a consumer exists. Nothing is lost either way, and nothing blocks.
 */
export const UNROUTED_EXCHANGE = 'platform.events.unrouted';
export const UNROUTED_QUEUE = 'platform.events.unrouted';

export async function assertEventsExchange(channel: Channel): Promise<void> {
  await channel.assertExchange(UNROUTED_EXCHANGE, 'fanout', { durable: true });
  await channel.assertQueue(UNROUTED_QUEUE, { durable: true });
  await channel.bindQueue(UNROUTED_QUEUE, UNROUTED_EXCHANGE, '');
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', {
    durable: true,
    alternateExchange: UNROUTED_EXCHANGE,
  });
}

/** Queues a consumer owns next to its main queue. */
export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}
