import { ClientCredentialsTokens, type ServiceContext, ServiceHttpClient } from '@platform/kit';
import type { BillingConfig } from './config.js';
import { AccountDetailsRepository } from './data/account-details-repository.js';
import { AccountRepository } from './data/account-repository.js';
import { CachedProfileDirectory } from './data/cached-profile-directory.js';
import { IdempotencyRepository } from './data/idempotency-repository.js';
import { InvoiceRepository } from './data/invoice-repository.js';
import { KeyRingCipher } from './data/key-ring-cipher.js';
import { PaymentRepository } from './data/payment-repository.js';
import { UserServiceClient } from './data/user-service-client.js';
import type { AccountReaders } from './domain/get-account.js';
import type { InvoiceDesk } from './domain/invoice-desk.js';
import type { PaymentDesk } from './domain/pay-invoice.js';
import { ManualTransferProvider } from './domain/payment-provider.js';
import type { ProfileDirectory } from './domain/profile-directory.js';

export interface BillingComponents {
  readonly invoiceDesk: InvoiceDesk;
  readonly profiles: ProfileDirectory;
  readonly accountReaders: AccountReaders;
  readonly paymentDesk: PaymentDesk;
}

/**
 * What billing's routes and consumers share: the kit's Redis client, one token cache, one circuit
 * breaker. The kit builds it once per started service (and closes the Redis client at shutdown).
 * Building opens no connection (Redis connects on first use), so routes can be listed without a stack.
 */
export function billingComponents(context: ServiceContext<BillingConfig>): BillingComponents {
  const { config, dataSource, unitOfWork, logger, metrics } = context;
  // The kit's Redis connection (REDIS_URL): the cache is shared by every replica of billing.
  const { redis } = context;
  const users = new UserServiceClient(
    new ServiceHttpClient({
      name: 'user-service',
      baseUrl: config.USER_SERVICE_URL,
      tokens: ClientCredentialsTokens.fromConfig(config),
      timeoutMs: config.USER_SERVICE_TIMEOUT_MS,
      logger,
      metrics,
    }),
  );
  const profiles = new CachedProfileDirectory({
    redis,
    users,
    ttlSeconds: config.PROFILE_CACHE_TTL_SECONDS,
    logger,
  });
  const accounts = new AccountRepository(dataSource);
  const invoices = new InvoiceRepository(dataSource);
  const cipher = new KeyRingCipher(config.BILLING_ENCRYPTION_KEYS, config.BILLING_ACTIVE_KEY_ID);
  return {
    invoiceDesk: { accounts, invoices, unitOfWork },
    profiles,
    accountReaders: { accounts, details: new AccountDetailsRepository(dataSource, cipher), profiles },
    paymentDesk: {
      unitOfWork,
      accounts,
      invoices,
      payments: new PaymentRepository(),
      idempotency: new IdempotencyRepository(),
      provider: new ManualTransferProvider(),
    },
  };
}
