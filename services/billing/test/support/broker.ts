import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { EventEnvelope } from '@platform/contracts';
import { amqpUrl } from '../../../../dev/environment.js';
import { environment, secrets } from '../../../../e2e/support/stack.js';

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

  /** Collects every event with that routing key from now on, in a temporary queue of its own. */
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
      await new Promise((resolve) => setTimeout(resolve, 200));
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

/** A user-lifecycle event as the auth service publishes it (v1 payload, `userId` = Keycloak id). */
export function userEvent(
  type: string,
  user: { id: string; username?: string; email?: string },
): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    subject: user.id,
    data: {
      userId: user.id,
      ...(user.username ? { username: user.username } : {}),
      ...(user.email ? { email: user.email } : {}),
    },
  };
}
