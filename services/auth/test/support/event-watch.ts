/** Observes events on `platform.events` through a temporary queue of the test's own. */
import type { EventEnvelope } from '@platform/contracts';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';

export class EventWatch {
  private constructor(
    private readonly broker: Broker,
    private readonly seen: readonly EventEnvelope[],
  ) {}

  /** Binds an exclusive, auto-deleted queue for these event types before anything is done. */
  static async start(types: readonly string[]): Promise<EventWatch> {
    const broker = await Broker.connect();
    return new EventWatch(broker, await broker.watch(...types));
  }

  /** Every event of `type` about `subject` seen so far. */
  about(type: string, subject: string): EventEnvelope[] {
    return this.seen.filter((event) => event.type === type && event.subject === subject);
  }

  waitFor(type: string, subject: string, timeoutMs = 10_000): Promise<EventEnvelope> {
    return eventually(async () => this.about(type, subject)[0], {
      timeoutMs,
      what: `${type} about ${subject}`,
    });
  }

  async stop(): Promise<void> {
    await this.broker.close();
  }
}
