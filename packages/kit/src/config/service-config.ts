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
});

export type ServiceConfig = z.output<typeof serviceConfigSchema>;
