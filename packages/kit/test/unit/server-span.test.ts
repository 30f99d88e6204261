import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app.js';

// The SDK itself, as the kit's telemetry module registers it (context in AsyncLocalStorage, W3C
// propagation), recording into memory instead of exporting.
const exported = new InMemorySpanExporter();
beforeAll(() => {
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exported)] }).register();
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exported.reset());

const callerTrace = '0af7651916cd43dd8448eb211c80319c';
const callerSpan = 'b7ad6b7169203331';

describe('the server span', () => {
  it('when a caller sends its trace context, then the request’s span continues it under the route’s name', async () => {
    const { app } = createTestApp((routes) => {
      routes.get('/users/:id', (_req, res) => void res.json({ ok: true }));
    });

    await request(app).get('/users/42').set('traceparent', `00-${callerTrace}-${callerSpan}-01`).expect(200);

    const [span] = exported.getFinishedSpans();
    expect(span).toMatchObject({
      name: 'GET /users/:id',
      kind: SpanKind.SERVER,
      parentSpanContext: expect.objectContaining({ spanId: callerSpan }),
      attributes: expect.objectContaining({
        'http.request.method': 'GET',
        'http.route': '/users/:id',
        'url.path': '/users/42',
        'http.response.status_code': 200,
      }),
    });
    expect(span!.spanContext().traceId).toBe(callerTrace);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('when a JSON body is read, then the handler after it runs inside the request’s span', async () => {
    let active: string | undefined;
    const { app } = createTestApp((routes) => {
      routes.post('/orders', (_req, res) => {
        active = trace.getActiveSpan()?.spanContext().spanId;
        res.status(201).json({ ok: true });
      });
    });

    await request(app).post('/orders').send({ item: 'book' }).expect(201);

    const [span] = exported.getFinishedSpans();
    expect(active).toBe(span!.spanContext().spanId);
  });

  it('when the handler fails, then the span is an error, and the request log line carries its trace', async () => {
    const { app, logs } = createTestApp((routes) => {
      routes.get('/boom', () => {
        throw new Error('boom');
      });
    }, 'info');

    await request(app).get('/boom').expect(500);

    const [span] = exported.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('500');
    expect(logs().find((line) => line.msg === 'request errored')).toMatchObject({
      trace_id: span!.spanContext().traceId,
      span_id: span!.spanContext().spanId,
    });
  });

  it('when a probe or a scrape arrives, then no span is recorded for it', async () => {
    const { app } = createTestApp((routes) => {
      routes.get('/healthz', (_req, res) => void res.send('ok'));
    });

    await request(app).get('/healthz').expect(200);

    expect(exported.getFinishedSpans()).toEqual([]);
  });
});
