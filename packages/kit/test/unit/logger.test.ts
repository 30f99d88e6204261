import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { captureLogs } from '../test-app.js';

/** Just enough context propagation for synchronous code, standing in for the SDK's. */
class StackContextManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    activeContext: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.#stack.push(activeContext);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

beforeAll(() => {
  context.setGlobalContextManager(new StackContextManager());
});
afterAll(() => {
  context.disable();
});

describe('createLogger', () => {
  it('when a span is active, then log lines carry its trace and span ids', () => {
    const { destination, lines } = captureLogs();
    const logger = createLogger({ name: 'kit-test', level: 'info', destination });
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });

    context.with(trace.setSpan(context.active(), span), () => logger.info('inside a span'));
    logger.info('outside any span');

    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        name: 'kit-test',
        msg: 'inside a span',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
      }),
      expect.not.objectContaining({ trace_id: expect.anything() }),
    ]);
  });

  it('when an authorization header is logged, then it is redacted', () => {
    const { destination, lines } = captureLogs();
    const logger = createLogger({ name: 'kit-test', level: 'info', destination });

    logger.info({ req: { headers: { authorization: 'Bearer secret' } } }, 'request');

    expect(lines()[0]).toMatchObject({ req: { headers: { authorization: '[redacted]' } } });
  });
});
