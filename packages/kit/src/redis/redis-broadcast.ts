import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { closeRedisClient } from './redis-client.js';

/** What a listener of one channel does. */
export interface BroadcastListener {
  /** One message, in the order Redis delivered them on this connection. */
  message(payload: string): void;
  /**
   * Runs once the channel is subscribed: at start and after every reconnect. Pub/sub delivers at
   * most once and nothing is kept while a subscriber is away, so a listener rebuilds or drops
   * whatever it derived from messages here.
   */
  resync(): void | Promise<void>;
}

export interface RedisBroadcastOptions {
  readonly url: string;
  /** The service's command connection; PUBLISH goes through it. */
  readonly publisher: Redis;
  readonly connectionName: string;
  readonly logger: Logger;
}

/**
 * Redis pub/sub for every replica of every service: one subscriber connection per process (a
 * subscribed connection can run no other command), any number of channels. The kit starts it after
 * the service's components have registered their listeners; ioredis reconnects on its own, and this
 * class subscribes again itself (not ioredis's auto-resubscribe) so it knows when to call `resync`.
 */
export class RedisBroadcast {
  private readonly listeners = new Map<string, BroadcastListener[]>();
  private subscriber: Redis | undefined;
  private subscribedChannels = new Set<string>();

  constructor(private readonly options: RedisBroadcastOptions) {}

  /** Registers a listener; when the broadcast already runs, subscribes its channel now. */
  listen(channel: string, listener: BroadcastListener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    if (this.subscriber?.status === 'ready') void this.subscribe([channel]);
  }

  /** Resolves when Redis took the message; rejects when Redis is unreachable (callers decide). */
  async publish(channel: string, payload: string): Promise<void> {
    await this.options.publisher.publish(channel, payload);
  }

  /** Whether the channel is subscribed now (false while Redis is unreachable). */
  isSubscribed(channel: string): boolean {
    return this.subscribedChannels.has(channel);
  }

  /** Connects in the background; a Redis outage at start-up does not stop the service. */
  start(): void {
    if (this.subscriber !== undefined) return;
    const { url, connectionName, logger } = this.options;
    const subscriber = new Redis(url, {
      lazyConnect: true,
      autoResubscribe: false,
      // A subscriber sends only SUBSCRIBE; queue it until the connection is back, however long.
      maxRetriesPerRequest: null,
      connectionName: `${connectionName}:broadcast`,
    });
    this.subscriber = subscriber;
    subscriber.on('ready', () => void this.subscribe([...this.listeners.keys()]));
    subscriber.on('close', () => {
      if (this.subscribedChannels.size > 0) logger.warn('redis broadcast subscription lost; will resync');
      this.subscribedChannels = new Set();
    });
    subscriber.on('error', (error: Error) => logger.warn({ err: error }, 'redis broadcast connection error'));
    subscriber.on('message', (channel: string, payload: string) => {
      for (const listener of this.listeners.get(channel) ?? []) {
        try {
          listener.message(payload);
        } catch (error) {
          logger.error({ err: error, channel }, 'broadcast listener failed on a message');
        }
      }
    });
    subscriber
      .connect()
      .catch((error: unknown) => logger.warn({ err: error }, 'redis broadcast not connected yet'));
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribedChannels = new Set();
    if (subscriber) await closeRedisClient(subscriber);
  }

  private async subscribe(channels: readonly string[]): Promise<void> {
    const subscriber = this.subscriber;
    if (subscriber === undefined || channels.length === 0) return;
    try {
      await subscriber.subscribe(...channels);
    } catch (error) {
      // The connection dropped again; its next 'ready' subscribes once more.
      this.options.logger.warn({ err: error }, 'redis broadcast could not subscribe');
      return;
    }
    for (const channel of channels) {
      this.subscribedChannels.add(channel);
      for (const listener of this.listeners.get(channel) ?? []) {
        Promise.resolve()
          .then(() => listener.resync())
          .catch((error: unknown) =>
            this.options.logger.error({ err: error, channel }, 'broadcast listener failed to resync'),
          );
      }
    }
  }
}
