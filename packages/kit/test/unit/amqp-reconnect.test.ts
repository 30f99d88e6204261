import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { AmqpConnection } from '../../src/messaging/amqp-connection.js';
import { brokerAddress, isUnreachable } from '../../src/messaging/broker-port-probe.js';

const logger = createLogger({ name: 'kit-test', level: 'silent' });

/** A port that was free a moment ago: nothing listens on it until the test says so. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Listens on `port` and reports when the first AMQP client arrives: one that sends the protocol
 * header (a bare port probe sends nothing). It is then dropped, so the connect still fails.
 */
async function fakeBrokerOn(port: number): Promise<{ server: Server; amqpClientAt: Promise<number> }> {
  let arrived: (at: number) => void = () => undefined;
  const amqpClientAt = new Promise<number>((resolve) => (arrived = resolve));
  const server = createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 4).toString('latin1') === 'AMQP') arrived(Date.now());
      socket.destroy();
    });
    socket.on('error', () => undefined);
  }).listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, amqpClientAt };
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('AMQP reconnect', () => {
  it('when the broker port refuses and then accepts, then the reconnect follows within the probe interval, not the backoff', async () => {
    const port = await freePort();
    // A backoff that would wait 2.5–5 s after the first failure and 5-10 s after the second.
    const amqp = new AmqpConnection({
      url: `amqp://user:secret@127.0.0.1:${port}`,
      logger,
      initialDelayMs: 5_000,
      maxDelayMs: 30_000,
      probeIntervalMs: 50,
    });
    void amqp.connect().catch(() => undefined);
    cleanup.push(() => amqp.close());
    // Let a couple of attempts fail against the closed port.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const openedAt = Date.now();
    const broker = await fakeBrokerOn(port);
    cleanup.push(() => new Promise((resolve) => broker.server.close(resolve)));

    expect((await broker.amqpClientAt) - openedAt).toBeLessThan(1_000);
  });

  it('when an AMQP URL is parsed, then host and port come out, with the default port per scheme', () => {
    expect(brokerAddress('amqp://u:p@rabbitmq.platform.svc:5673/vhost')).toEqual({
      host: 'rabbitmq.platform.svc',
      port: 5673,
    });
    expect(brokerAddress('amqp://u:p@10.0.0.5')).toEqual({ host: '10.0.0.5', port: 5672 });
    expect(brokerAddress('amqps://u:p@[::1]')).toEqual({ host: '::1', port: 5671 });
  });

  it('when a connect fails, then only network-level failures count as an unreachable broker', () => {
    expect(isUnreachable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isUnreachable(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))).toBe(
      true,
    );
    // The broker answered: a refused login or a handshake it cut short is backed off as before.
    expect(isUnreachable(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED)'))).toBe(false);
    expect(isUnreachable(new Error('Socket closed abruptly during opening handshake'))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });
});
