/** Observes events on `platform.events` through a temporary queue of the test's own. */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { amqpUrl } from '../../../../dev/environment.js';
import { environment, secrets } from '../../../../e2e/support/stack.js';

export interface SeenEvent {
  id: string;
  type: string;
  version: number;
  subject: string;
  data: Record<string, unknown>;
}

export class EventWatch {
  private readonly seen: SeenEvent[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
  ) {}

  /** Binds an exclusive, auto-deleted queue for these event types before anything is done. */
  static async start(types: readonly string[]): Promise<EventWatch> {
    const connection = await connect(amqpUrl(environment, secrets));
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const type of types) await channel.bindQueue(queue, 'platform.events', type);
    const watch = new EventWatch(connection, channel);
    await channel.consume(
      queue,
      (message: ConsumeMessage | null) => {
        if (message) watch.seen.push(JSON.parse(message.content.toString('utf8')) as SeenEvent);
      },
      { noAck: true },
    );
    return watch;
  }

  /** Every event of `type` about `subject` seen so far. */
  about(type: string, subject: string): SeenEvent[] {
    return this.seen.filter((event) => event.type === type && event.subject === subject);
  }

  async waitFor(type: string, subject: string, timeoutMs = 10_000): Promise<SeenEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [event] = this.about(type, subject);
      if (event) return event;
      if (Date.now() > deadline) throw new Error(`no ${type} about ${subject} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    await this.connection.close();
  }
}
