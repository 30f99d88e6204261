import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { EventEnvelope } from '@platform/contracts';
import { amqpUrl } from '../../../../dev/environment.js';
import { environment, secrets } from '../../../../e2e/support/stack.js';

const exchange = 'platform.events';

/** RabbitMQ as the services see it: publish events as the auth service would, and watch what is published. */
export class Broker {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async connect(): Promise<Broker> {
    const connection = await connect(amqpUrl(environment, secrets));
    const channel = await connection.createConfirmChannel();
    return new Broker(connection, channel);
  }

  /** Publishes and waits for the broker's confirm, as the outbox relay does. */
  async publish(envelope: EventEnvelope): Promise<void> {
    this.channel.publish(exchange, envelope.type, Buffer.from(JSON.stringify(envelope)), {
      persistent: true,
      messageId: envelope.id,
      type: envelope.type,
      contentType: 'application/json',
    });
    await this.channel.waitForConfirms();
  }

  /** A temporary queue bound to the events exchange; collects every message with that routing key. */
  async watch(routingKey: string): Promise<EventEnvelope[]> {
    const received: EventEnvelope[] = [];
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await this.channel.bindQueue(queue, exchange, routingKey);
    await this.channel.consume(
      queue,
      (message) => {
        if (message) received.push(JSON.parse(message.content.toString('utf8')) as EventEnvelope);
      },
      { noAck: true },
    );
    return received;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** An identity event as the auth service publishes it. */
export function identityEvent(
  type: string,
  data: { userId: string; username?: string; email?: string; firstName?: string; lastName?: string },
  occurredAt = new Date(),
): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: occurredAt.toISOString(),
    subject: data.userId,
    data,
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
