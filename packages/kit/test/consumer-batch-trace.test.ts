import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@platform/contracts';
import { createUnitOfWork, type UnitOfWork } from '../src/db/unit-of-work.js';
import { applyBatch } from '../src/messaging/consumer-batch.js';
import { createEvent } from '../src/messaging/create-event.js';
import { openKitDatabase, type KitDatabase } from './messaging-fixtures.js';

// The SDK as the kit's telemetry module registers it, recording into memory.
const exported = new InMemorySpanExporter();
const tracer = trace.getTracer('consumer-batch-trace-test');
let database: KitDatabase;
let unitOfWork: UnitOfWork;

beforeAll(async () => {
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exported)] }).register();
  database = await openKitDatabase(pino({ level: 'silent' }));
  unitOfWork = createUnitOfWork(database.dataSource);
});
afterAll(async () => {
  await database.close();
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exported.reset());

/** A message as the consumer holds it: delivered in a consume span of its own. */
function delivered(subject: string): { envelope: EventEnvelope; delivered: Context; spanId: string } {
  const span = tracer.startSpan(`consume ${subject}`);
  span.end();
  const envelope = createEvent({ type: 'kit-test.batch-trace', version: 1, subject, data: {} });
  return { envelope, delivered: trace.setSpan(ROOT_CONTEXT, span), spanId: span.spanContext().spanId };
}

describe('the trace of a batch applied together', () => {
  it('when a batch handler applies several messages, then it runs in one span linked to every message’s trace', async () => {
    const entries = ['a', 'b', 'a'].map(delivered);
    const activeDuringRounds: (string | undefined)[] = [];

    const applied = await applyBatch(
      unitOfWork,
      `kit-test-${Date.now()}`,
      {
        handler: () => Promise.reject(new Error('the batch handler should have run')),
        batchHandler: async () => {
          activeDuringRounds.push(trace.getActiveSpan()?.spanContext().spanId);
        },
      },
      entries,
    );

    expect(applied).toEqual([true, true, true]);
    const [apply] = exported.getFinishedSpans().filter((span) => span.name.endsWith(' apply'));
    expect(apply).toBeDefined();
    expect(apply!.parentSpanContext).toBeUndefined();
    expect(apply!.links.map((link) => link.context.spanId)).toEqual(entries.map((entry) => entry.spanId));
    expect(apply!.attributes['messaging.batch.message_count']).toBe(3);
    // Two rounds ("a" twice), both inside the apply span.
    expect(activeDuringRounds).toEqual([apply!.spanContext().spanId, apply!.spanContext().spanId]);
  });

  it('when a message is applied alone, then its handler runs in that message’s own trace and no apply span is made', async () => {
    const [entry] = ['alone'].map(delivered);
    let activeSpan: string | undefined;

    await applyBatch(
      unitOfWork,
      `kit-test-${Date.now()}`,
      {
        handler: async () => {
          activeSpan = trace.getActiveSpan()?.spanContext().spanId;
        },
        batchHandler: () => Promise.reject(new Error('one message needs no batch handler')),
      },
      [entry!],
    );

    expect(activeSpan).toBe(entry!.spanId);
    expect(exported.getFinishedSpans().filter((span) => span.name.endsWith(' apply'))).toHaveLength(0);
  });
});
