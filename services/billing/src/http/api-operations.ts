import { databaseUnavailable, problem, type ApiOperation, type ApiResponse } from '@platform/kit';
import { accountParamsSchema, accountSchema, billingDetailsSchema } from '../domain/account-schemas.js';
import {
  createInvoiceBodySchema,
  invoicePageSchema,
  invoiceParamsSchema,
  invoiceSchema,
  listInvoicesQuerySchema,
} from '../domain/invoice-schemas.js';
import { paymentBodySchema, paymentHeadersSchema, paymentRecordedSchema } from '../domain/payment-schemas.js';

// Every route reads the database. The user service (account holders' profiles) is optional: while
// it cannot be reached an account is shown without the profile.
const noSuchInvoice = problem('No such invoice, or one the caller may not see');
const noAccount = problem('No billing account');
const invoice = (description: string): ApiResponse => ({ description, body: invoiceSchema });
const account = (description: string): ApiResponse => ({ description, body: accountSchema });

export const billingApiOperations: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/billing/invoices',
    operationId: 'listInvoices',
    summary: 'List invoices, newest first',
    description: 'A user sees their own invoices; a billing administrator sees everyone’s.',
    tags: ['invoices'],
    query: listInvoicesQuerySchema,
    responses: {
      200: { description: 'One page of invoices', body: invoicePageSchema },
      503: databaseUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/billing/invoices',
    operationId: 'createInvoice',
    summary: 'Draft an invoice for a user',
    tags: ['invoices'],
    body: createInvoiceBodySchema,
    responses: {
      201: {
        ...invoice('The draft invoice'),
        headers: { Location: { description: 'The invoice’s URL' } },
      },
      409: problem('The user’s billing account is closed'),
      422: problem('The user has no billing account; `errors` names userId'),
      503: databaseUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/billing/invoices/:id',
    operationId: 'getInvoice',
    summary: 'One invoice',
    description: 'Somebody else’s invoice answers exactly like a missing one.',
    tags: ['invoices'],
    params: invoiceParamsSchema,
    responses: { 200: invoice('The invoice'), 404: noSuchInvoice, 503: databaseUnavailable },
  },
  {
    method: 'POST',
    path: '/billing/invoices/:id/finalize',
    operationId: 'finalizeInvoice',
    summary: 'Issue a draft invoice (draft → open)',
    tags: ['invoices'],
    params: invoiceParamsSchema,
    responses: {
      200: invoice('The open invoice'),
      404: noSuchInvoice,
      409: problem('The invoice is not a draft'),
      503: databaseUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/billing/invoices/:id/void',
    operationId: 'voidInvoice',
    summary: 'Void a draft or open invoice',
    tags: ['invoices'],
    params: invoiceParamsSchema,
    responses: {
      200: invoice('The void invoice'),
      404: noSuchInvoice,
      409: problem('The invoice is paid or void already, or has payments'),
      503: databaseUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/billing/invoices/:id/payments',
    operationId: 'payInvoice',
    summary: 'Pay (part of) an open invoice',
    description:
      'The owner pays their own invoice; a billing administrator may record a payment on any. Once per ' +
      '`Idempotency-Key`: a retry with the same key and body answers with the first response and ' +
      '`Idempotent-Replayed: true`.',
    tags: ['payments'],
    params: invoiceParamsSchema,
    headers: paymentHeadersSchema,
    body: paymentBodySchema,
    responses: {
      201: {
        description: 'The payment and the invoice it changed',
        body: paymentRecordedSchema,
        headers: { 'Idempotent-Replayed': { description: '`true` when this is the stored first response' } },
      },
      404: noSuchInvoice,
      409: problem('The invoice is not open, the account is not active, or the amount exceeds what is owed'),
      422: problem('The Idempotency-Key was used before with another invoice or body'),
      503: databaseUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/billing/accounts/me',
    operationId: 'getMyAccount',
    summary: 'The caller’s billing account',
    tags: ['accounts'],
    responses: { 200: account('The account'), 404: noAccount, 503: databaseUnavailable },
  },
  {
    method: 'PUT',
    path: '/billing/accounts/me/details',
    operationId: 'replaceMyBillingDetails',
    summary: 'Replace the caller’s billing details',
    description: 'Stored encrypted. A closed account keeps its last details.',
    tags: ['accounts'],
    body: billingDetailsSchema,
    responses: {
      200: account('The account with its new details'),
      404: noAccount,
      409: problem('The account is closed'),
      503: databaseUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/billing/accounts/:userId',
    operationId: 'getAccount',
    summary: 'Any user’s billing account',
    tags: ['accounts'],
    params: accountParamsSchema,
    responses: { 200: account('The account'), 404: noAccount, 503: databaseUnavailable },
  },
];
