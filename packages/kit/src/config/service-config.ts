import { z } from 'zod';
import { envByteSize, envEnum, envInteger, envUrl } from './env-values.js';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** What every service needs; services `.extend()` it with their own variables. */
export const serviceConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: envInteger({ min: 0, max: 65535 }).default(3000),
  MANAGEMENT_PORT: envInteger({ min: 0, max: 65535 }).default(9090),
  LOG_LEVEL: envEnum(logLevels).default('info'),
  BODY_LIMIT: envByteSize().default('100kb'),
  SHUTDOWN_TIMEOUT_MS: envInteger({ min: 1 }).default(10_000),
  OIDC_ISSUER_URL: envUrl(),
  OIDC_JWKS_URL: envUrl(),
  OIDC_AUDIENCE: z.string(),
  DATABASE_URL: envUrl(['postgres', 'postgresql']),
  AMQP_URL: envUrl(['amqp', 'amqps']),
  /** Shared by every replica: the token revocation list, cache invalidations, caches. */
  REDIS_URL: envUrl(['redis', 'rediss']),
  /**
   * How long a revoked subject stays on the revocation list: at least the longest access-token
   * lifetime the realm issues (Keycloak's accessTokenLifespan, 300 s), after which every token issued
   * before the revocation has expired anyway. The render sets it from the realm.
   */
  REVOCATION_TTL_SECONDS: envInteger({ min: 1, max: 86_400 }).default(300),
  /**
   * The retention pruner (`messaging/retention-pruner.ts`) runs this often in every replica;
   * concurrent runs are harmless. Each run deletes in batches of RETENTION_BATCH_SIZE rows, each
   * batch its own short transaction, until nothing past its window is left.
   */
  RETENTION_INTERVAL_MINUTES: envInteger({ min: 1, max: 1_440 }).default(10),
  RETENTION_BATCH_SIZE: envInteger({ min: 1, max: 100_000 }).default(1_000),
  /**
   * How long a published outbox row is kept (unpublished rows are never pruned): a week of events
   * to inspect, or to publish again by hand after a consumer lost its queue.
   */
  OUTBOX_RETENTION_DAYS: envInteger({ min: 1, max: 3_650 }).default(7),
  /**
   * How long a consumer remembers a message id it applied, i.e. how late a duplicate is still
   * recognised. It must outlast every way a message comes back: broker redeliveries and the retry
   * queues (minutes: billing's lifecycle schedule gives up after at most 4 minutes, the kit's
   * default after about 15 s), a dead-letter queue an operator replays after days, and an outbox
   * row re-published by hand within OUTBOX_RETENTION_DAYS; so it must be longer than that window
   * (checked at start). 14 days: a week of outbox replay plus a week to triage a dead-letter queue.
   */
  PROCESSED_MESSAGES_RETENTION_DAYS: envInteger({ min: 1, max: 3_650 }).default(14),
});

export type ServiceConfig = z.output<typeof serviceConfigSchema>;
