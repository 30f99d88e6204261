import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { EventEnvelope } from '@platform/contracts';
import { amqpUrl } from '@platform/platform/environment';
import { environment, secrets } from './stack.js';

const exchange = 'platform.events';

/** RabbitMQ as the services see it: publish events the way an outbox relay does, and watch them. */
export class Broker {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async connect(): Promise<Broker> {
    const connection = await connect(amqpUrl(environment, secrets));
    return new Broker(connection, await connection.createConfirmChannel());
  }

  /** To every queue bound for the event's type, confirmed by the broker. */
  async publish(envelope: EventEnvelope): Promise<void> {
    this.channel.publish(
      exchange,
      envelope.type,
      Buffer.from(JSON.stringify(envelope)),
      this.properties(envelope),
    );
    await this.channel.waitForConfirms();
  }

  /** Straight into one queue, so only the consumer reading it sees the event. */
  async sendToQueue(queue: string, envelope: EventEnvelope): Promise<void> {
    this.channel.sendToQueue(queue, Buffer.from(JSON.stringify(envelope)), this.properties(envelope));
    await this.channel.waitForConfirms();
  }

  /** Collects every event with these routing keys from now on, in a temporary queue of its own. */
  async watch(...routingKeys: string[]): Promise<EventEnvelope[]> {
    const received: EventEnvelope[] = [];
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const routingKey of routingKeys) await this.channel.bindQueue(queue, exchange, routingKey);
    await this.channel.consume(
      queue,
      (message) => {
        if (message) received.push(JSON.parse(message.content.toString('utf8')) as EventEnvelope);
      },
      { noAck: true },
    );
    return received;
  }

  /** Resolves once `queue` exists, e.g. after a consumer started in the background declared it. */
  async queueDeclared(queue: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A failed checkQueue closes its channel, so each probe gets a channel of its own.
      const probe = await this.connection.createChannel();
      probe.on('error', () => undefined);
      try {
        await probe.checkQueue(queue);
        await probe.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await sleep(200);
    }
  }

  async deleteQueues(queues: readonly string[]): Promise<void> {
    for (const queue of queues) await this.channel.deleteQueue(queue);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private properties(envelope: EventEnvelope) {
    return { persistent: true, messageId: envelope.id, type: envelope.type, contentType: 'application/json' };
  }
}

/** An identity event as the auth service publishes it (v1 payload, `userId` = Keycloak id). */
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
