import { apiDocsRoutes, defineService } from '@platform/kit';
import { billingComponents } from './billing-components.js';
import { billingConfigSchema } from './config.js';
import { AccountDetails } from './data/account-details-entity.js';
import { Account } from './data/account-entity.js';
import { IdempotencyRecord } from './data/idempotency-record-entity.js';
import { Invoice } from './data/invoice-entity.js';
import { CreateAccountsAndInvoices1764000000000 } from './data/migrations/1764000000000-create-accounts-and-invoices.js';
import { AddPaymentsDetailsAndIdempotency1764100000000 } from './data/migrations/1764100000000-add-payments-details-and-idempotency.js';
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
  migrations: [CreateAccountsAndInvoices1764000000000, AddPaymentsDetailsAndIdempotency1764100000000],
  components: billingComponents,
  routes: ({ auth, components }) => {
    const tables = [
      invoicesRoutes(auth, components.invoiceDesk),
      paymentsRoutes(auth, components.paymentDesk),
      accountsRoutes(auth, components.accountReaders),
    ];
    const docs = apiDocsRoutes({
      auth,
      info: {
        title: 'Billing service',
        version: '1',
        description: 'Billing accounts, invoices and idempotent payments.',
      },
      tables,
      operations: billingApiOperations,
    });
    return [...tables, docs];
  },
  consumers: ({ components }) => [
    userLifecycleConsumer(components.invoiceDesk.accounts, components.profiles),
    profileCacheConsumer(components.profiles),
  ],
});
