import { parseBody, parseHeaders, parseParams, principalOf, RouteTable, type Auth } from '@platform/kit';
import { billingAdminRole, userRole } from '../domain/billing-roles.js';
import { invoiceParamsSchema } from '../domain/invoice-schemas.js';
import { type PaymentDesk, payInvoice } from '../domain/pay-invoice.js';
import { paymentBodySchema, paymentHeadersSchema } from '../domain/payment-schemas.js';

/**
 * The owner pays their own invoice; a billing administrator may record a payment on any invoice
 * (a bank transfer that arrived). Anybody else gets the same 404 as for a missing invoice.
 */
export function paymentsRoutes(auth: Auth, desk: PaymentDesk): RouteTable {
  return new RouteTable({ auth, basePath: '/billing/invoices' }).post(
    '/:id/payments',
    { roles: [userRole, billingAdminRole] },
    async (req, res) => {
      const headers = parseHeaders(paymentHeadersSchema, req);
      const outcome = await payInvoice(desk, principalOf(req), {
        invoiceId: parseParams(invoiceParamsSchema, req).id,
        idempotencyKey: headers['idempotency-key'],
        body: parseBody(paymentBodySchema, req),
      });
      if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
      res.status(outcome.status).json(outcome.body);
    },
  );
}
