import type { Channel } from 'amqplib';

/** The one durable topic exchange all domain events are published to; routing key = event type. */
export const EVENTS_EXCHANGE = 'platform.events';

export async function assertEventsExchange(channel: Channel): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
}

/** Queues a consumer owns next to its main queue. */
export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}
