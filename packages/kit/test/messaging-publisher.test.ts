import { randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrl, loadEnvironment, loadSecrets } from '@platform/platform/environment';
import { AmqpConnection } from '../src/messaging/amqp-connection.js';
import { brokerReadinessCheck } from '../src/messaging/broker-readiness.js';
import { createEvent } from '../src/messaging/create-event.js';
import { EventPublisher } from '../src/messaging/event-publisher.js';
import { PublishError } from '../src/messaging/publish-error.js';
import { EVENTS_EXCHANGE, UNROUTED_EXCHANGE } from '../src/messaging/topology.js';

const url = amqpUrl(loadEnvironment(), loadSecrets());
const logger = pino({ level: 'silent' });
// Event types no service binds, so these tests never feed the running services.
const run = randomBytes(6).toString('hex');
const boundType = `kit-test.${run}.published`;
const unboundType = `kit-test.${run}.unbound`;
const queue = `kit-test.${run}.publisher`;
const unroutedWatch = `kit-test.${run}.unrouted-watch`;

async function nextMessage(channel: Channel, name: string, timeoutMs = 5000): Promise<GetMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await channel.get(name, { noAck: true });
    if (message) return message;
    if (Date.now() > deadline) throw new Error(`no message on ${name} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('event publisher', () => {
  let amqp: AmqpConnection;
  let publisher: EventPublisher;
  let admin: ChannelModel;
  let channel: Channel;

  beforeAll(async () => {
    amqp = new AmqpConnection({ url, logger, connectionName: 'kit-publisher-test' });
    await amqp.connect();
    publisher = new EventPublisher({ amqp, logger, appId: 'kit-test' });
    await publisher.start();
    admin = await connect(url);
    channel = await admin.createChannel();
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, boundType);
    // Sees what the alternate exchange parks, without consuming from the shared unrouted queue.
    await channel.assertQueue(unroutedWatch, { durable: false, autoDelete: false });
    await channel.bindQueue(unroutedWatch, UNROUTED_EXCHANGE, '');
  });

  afterAll(async () => {
    await channel.deleteQueue(queue);
    await channel.deleteQueue(unroutedWatch);
    await admin.close();
    await publisher.close();
    await amqp.close();
  });

  it('when an event is published to a bound queue, then it arrives persistent with its id, type and trace headers', async () => {
    const envelope = {
      ...createEvent({ type: boundType, version: 1, subject: 'user-1', data: { userId: 'user-1' } }),
      traceContext: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'vendor=value',
      },
    };

    await publisher.publish(envelope);

    const message = await nextMessage(channel, queue);
    expect(JSON.parse(message.content.toString('utf8'))).toEqual(envelope);
    expect(message.fields.exchange).toBe(EVENTS_EXCHANGE);
    expect(message.fields.routingKey).toBe(boundType);
    expect(message.properties.messageId).toBe(envelope.id);
    expect(message.properties.type).toBe(boundType);
    expect(message.properties.deliveryMode).toBe(2);
    expect(message.properties.contentType).toBe('application/json');
    expect(message.properties.appId).toBe('kit-test');
    expect(message.properties.timestamp).toBe(Math.floor(Date.parse(envelope.occurredAt) / 1000));
    expect(message.properties.headers).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=value',
    });
  });

  it('when no queue is bound for the event type, then publish resolves and the event is parked, not lost', async () => {
    const envelope = createEvent({ type: unboundType, version: 1, subject: 'user-1', data: {} });

    await publisher.publish(envelope);

    let parked: GetMessage;
    do parked = await nextMessage(channel, unroutedWatch);
    while (parked.properties.messageId !== envelope.id);
    expect(parked.fields.routingKey).toBe(unboundType);
    expect(parked.properties.deliveryMode).toBe(2);
  });

  it('when many events are published at once, then each resolves after its confirm and all arrive', async () => {
    const envelopes = Array.from({ length: 200 }, (_, index) =>
      createEvent({ type: boundType, version: 1, subject: `user-${index}`, data: { index } }),
    );

    await Promise.all(envelopes.map((envelope) => publisher.publish(envelope)));

    const received: string[] = [];
    for (let index = 0; index < envelopes.length; index += 1) {
      received.push(String((await nextMessage(channel, queue)).properties.messageId));
    }
    expect(received).toEqual(envelopes.map((envelope) => envelope.id));
  });

  it('when the publisher has never connected, then publish rejects as not connected', async () => {
    const idle = new AmqpConnection({ url, logger });
    const offline = new EventPublisher({ amqp: idle, logger });
    await offline.start();
    const envelope = createEvent({ type: boundType, version: 1, subject: 'user-1', data: {} });

    const failure = await offline.publish(envelope).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as PublishError).failure).toBe('not-connected');
    await idle.close();
  });

  it('when connected, then the broker readiness check passes; when closed, then it fails', async () => {
    const own = new AmqpConnection({ url, logger });
    await own.connect();
    const check = brokerReadinessCheck(own);
    expect(check.name).toBe('broker');
    await expect(check.check()).resolves.toBeUndefined();

    await own.close();

    await expect(check.check()).rejects.toThrow('not connected to the message broker');
  });
});
