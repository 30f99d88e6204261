import { ClientCredentialsTokens, type ServiceContext } from '@platform/kit';
import { Redis } from 'ioredis';
import type { BillingConfig } from './config.js';
import { AccountDetailsRepository } from './data/account-details-repository.js';
import { AccountRepository } from './data/account-repository.js';
import { CachedProfileDirectory } from './data/cached-profile-directory.js';
import { IdempotencyStore } from './data/idempotency-store.js';
import { InvoiceRepository } from './data/invoice-repository.js';
import { KeyRingCipher } from './data/key-ring-cipher.js';
import { PaymentRepository } from './data/payment-repository.js';
import { UserServiceClient } from './data/user-service-client.js';
import type { AccountReaders } from './domain/get-account.js';
import type { PaymentDesk } from './domain/pay-invoice.js';
import { ManualTransferProvider } from './domain/payment-provider.js';
import type { ProfileDirectory } from './domain/profile-directory.js';

export interface BillingComponents {
  readonly accounts: AccountRepository;
  readonly invoices: InvoiceRepository;
  readonly profiles: ProfileDirectory;
  readonly accountReaders: AccountReaders;
  readonly paymentDesk: PaymentDesk;
  close(): Promise<void>;
}

const built = new WeakMap<object, BillingComponents>();

/**
 * The objects one running billing service shares between its routes and its consumers: one
 * Redis client, one token cache, one circuit breaker. Built once per service context. Building
 * opens no connection (Redis connects on first use), so routes can be listed without a stack.
 */
export function billingComponentsOf(context: ServiceContext<BillingConfig>): BillingComponents {
  const existing = built.get(context);
  if (existing) return existing;
  const { config, dataSource, logger } = context;
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    // A cache must fail fast: a slow Redis should cost a read one short wait, not a queue of them.
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectionName: 'billing-service',
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  const users = new UserServiceClient({
    baseUrl: config.USER_SERVICE_URL,
    tokens: new ClientCredentialsTokens({
      tokenUrl: config.OIDC_TOKEN_URL,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
    }),
    timeoutMs: config.USER_SERVICE_TIMEOUT_MS,
    logger,
    circuit: context.metrics.circuitBreaker('user-service'),
  });
  const profiles = new CachedProfileDirectory({
    redis,
    users,
    ttlSeconds: config.PROFILE_CACHE_TTL_SECONDS,
    logger,
  });
  const accounts = new AccountRepository(dataSource);
  const invoices = new InvoiceRepository(dataSource);
  const cipher = new KeyRingCipher(config.BILLING_ENCRYPTION_KEYS, config.BILLING_ACTIVE_KEY_ID);
  const components: BillingComponents = {
    accounts,
    invoices,
    profiles,
    accountReaders: { accounts, details: new AccountDetailsRepository(dataSource, cipher), profiles },
    paymentDesk: {
      accounts,
      invoices,
      payments: new PaymentRepository(),
      idempotency: new IdempotencyStore(dataSource),
      provider: new ManualTransferProvider(),
    },
    async close() {
      if (redis.status === 'wait' || redis.status === 'end') redis.disconnect();
      else await redis.quit();
    },
  };
  built.set(context, components);
  return components;
}
