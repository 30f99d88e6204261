import { defineService } from '@platform/kit';
import { billingConfigSchema } from './config.js';
import { Account } from './data/account-entity.js';
import { Invoice } from './data/invoice-entity.js';
import { InvoiceRepository } from './data/invoice-repository.js';
import { CreateAccountsAndInvoices1764000000000 } from './data/migrations/1764000000000-create-accounts-and-invoices.js';
import { invoicesRoutes } from './http/invoices-routes.js';

export const service = defineService({
  name: 'billing',
  configSchema: billingConfigSchema,
  entities: [Account, Invoice],
  migrations: [CreateAccountsAndInvoices1764000000000],
  routes: ({ auth, dataSource }) => [invoicesRoutes(auth, new InvoiceRepository(dataSource))],
});
