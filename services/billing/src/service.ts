import { defineService } from '@platform/kit';
import { billingComponents } from './billing-components.js';
import { billingConfigSchema } from './config.js';
import { AccountDetails } from './data/account-details-entity.js';
import { Account } from './data/account-entity.js';
import { IdempotencyRecord } from './data/idempotency-record-entity.js';
import { idempotencyRetention } from './data/idempotency-retention.js';
import { Invoice } from './data/invoice-entity.js';
import { CreateAccountsAndInvoices1764000000000 } from './data/migrations/1764000000000-create-accounts-and-invoices.js';
import { AddPaymentsDetailsAndIdempotency1764100000000 } from './data/migrations/1764100000000-add-payments-details-and-idempotency.js';
import { IndexIdempotencyRecordsByAge1764200000000 } from './data/migrations/1764200000000-index-idempotency-records-by-age.js';
import { Payment } from './data/payment-entity.js';
import { profileCacheConsumer } from './events/profile-cache-consumer.js';
import { userLifecycleConsumer } from './events/user-lifecycle-consumer.js';
import { accountsRoutes } from './http/accounts-routes.js';
import { billingApiOperations } from './http/api-operations.js';
import { invoicesRoutes } from './http/invoices-routes.js';
import { paymentsRoutes } from './http/payments-routes.js';

export const service = defineService({
  name: 'billing',
  configSchema: billingConfigSchema,
  entities: [Account, AccountDetails, Invoice, Payment, IdempotencyRecord],
  migrations: [
    CreateAccountsAndInvoices1764000000000,
    AddPaymentsDetailsAndIdempotency1764100000000,
    IndexIdempotencyRecordsByAge1764200000000,
  ],
  components: billingComponents,
  routes: ({ auth, components }) => [
    invoicesRoutes(auth, components.invoiceDesk),
    paymentsRoutes(auth, components.paymentDesk),
    accountsRoutes(auth, components.accountReaders),
  ],
  api: {
    description: 'Billing accounts, invoices and idempotent payments.',
    operations: billingApiOperations,
  },
  consumers: ({ components }) => [
    userLifecycleConsumer(components.invoiceDesk.accounts),
    profileCacheConsumer(components.profiles),
  ],
  // Pruned by the kit's retention pruner with the outbox and processed messages.
  retention: [idempotencyRetention],
});
