import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@platform/contracts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUsers, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { claimsOf, userToken } from '@platform/test-support/tokens';
import { call } from './support/billing-api.js';
import { accountRowsOf } from './support/billing-database.js';
import { draftInvoice, openAccount, openInvoice, userEvent } from './support/fixtures.js';
import { exemptFromRevocation } from '@platform/test-support/revocations';

const oneLine = (unitAmountMinor: number) => [{ description: 'Consulting', quantity: 1, unitAmountMinor }];

describe('POST /billing/invoices/{id}/payments', () => {
  let db: pg.Pool;
  let broker: Broker;
  let paidEvents: EventEnvelope[];
  let users: TestUser[] = [];
  let owner: TestUser;
  let suspended: TestUser;
  let ownerToken: string;
  let otherToken: string;
  let adminToken: string;

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    paidEvents = await broker.watch('invoice.paid');
    users = await createTestUsers('billing-payments', 3);
    [owner, suspended] = users as [TestUser, TestUser];
    await openAccount(broker, db, owner);
    await openAccount(broker, db, suspended);
    ownerToken = await owner.token();
    otherToken = await users[2]!.token();
    adminToken = await userToken('bill');
  });

  afterAll(async () => {
    await broker?.close();
    await deleteTestUsers(users);
    await db?.end();
  });

  function pay(
    invoiceId: string,
    body: unknown,
    { token = ownerToken, key = randomUUID() as string | null } = {},
  ) {
    return call('POST', `/billing/invoices/${invoiceId}/payments`, {
      token,
      body,
      headers: key === null ? {} : { 'Idempotency-Key': key },
    });
  }

  async function paymentsOf(invoiceId: string): Promise<{ amount_minor: string; recorded_by: string }[]> {
    const { rows } = await db.query(
      'SELECT amount_minor, recorded_by FROM payments WHERE invoice_id = $1 ORDER BY created_at',
      [invoiceId],
    );
    return rows;
  }

  /** Waits a moment after the first `invoice.paid` for the invoice, so a second one would be seen too. */
  async function paidEventsFor(invoiceId: string): Promise<EventEnvelope[]> {
    const matching = () =>
      paidEvents.filter((event) => (event.data as { invoiceId: string }).invoiceId === invoiceId);
    await eventually(async () => (matching().length > 0 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'invoice.paid',
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return matching();
  }

  it('when the owner pays the whole amount, then 201, the invoice is paid and invoice.paid is received exactly once', async () => {
    const invoice = await openInvoice(adminToken, owner.id, oneLine(4_200));

    const response = await pay(invoice.id, { amountMinor: 4_200, reference: 'INV-4200' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      payment: {
        invoiceId: invoice.id,
        amountMinor: 4_200,
        currency: 'EUR',
        provider: 'manual',
        providerReference: 'manual:INV-4200',
      },
      invoice: { id: invoice.id, status: 'paid', paidMinor: 4_200, paidAt: expect.any(String) },
    });
    const events = await paidEventsFor(invoice.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'invoice.paid',
      version: 1,
      data: { invoiceId: invoice.id, accountId: invoice.accountId, amountMinor: 4_200, currency: 'EUR' },
    });
    expect(await paymentsOf(invoice.id)).toEqual([{ amount_minor: '4200', recorded_by: owner.id }]);
  });

  describe('Idempotency-Key', () => {
    it('when the same key comes again with the same body, then the stored response is replayed and nothing is paid twice', async () => {
      const invoice = await openInvoice(adminToken, owner.id, oneLine(1_000));
      const key = randomUUID();

      const first = await pay(invoice.id, { amountMinor: 400 }, { key });
      const replay = await pay(invoice.id, { amountMinor: 400 }, { key });

      expect(first.status).toBe(201);
      expect(replay.status).toBe(first.status);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await paymentsOf(invoice.id)).toHaveLength(1);
      const { rows } = await db.query('SELECT paid_minor FROM invoices WHERE id = $1', [invoice.id]);
      expect(rows).toEqual([{ paid_minor: '400' }]);
    });

    it('when the same key comes with a different body, then 422 and nothing is paid', async () => {
      const invoice = await openInvoice(adminToken, owner.id, oneLine(1_000));
      const key = randomUUID();
      await pay(invoice.id, { amountMinor: 100 }, { key });

      const response = await pay(invoice.id, { amountMinor: 200 }, { key });

      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await paymentsOf(invoice.id)).toHaveLength(1);
    });

    it('when the same key is used for another invoice, then 422', async () => {
      const [a, b] = [await openInvoice(adminToken, owner.id), await openInvoice(adminToken, owner.id)];
      const key = randomUUID();
      await pay(a.id, { amountMinor: 100 }, { key });

      const response = await pay(b.id, { amountMinor: 100 }, { key });

      expect(response.status).toBe(422);
      expect(await paymentsOf(b.id)).toEqual([]);
    });

    it('when the key is missing, then 400 naming the header and nothing is paid', async () => {
      const invoice = await openInvoice(adminToken, owner.id);

      const response = await pay(invoice.id, { amountMinor: 100 }, { key: null });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'idempotency-key' })]);
      expect(await paymentsOf(invoice.id)).toEqual([]);
    });

    it('when a payment was refused, then nothing is stored for its key and the key can be used again', async () => {
      const invoice = await openInvoice(adminToken, owner.id, oneLine(500));
      const key = randomUUID();

      const tooMuch = await pay(invoice.id, { amountMinor: 501 }, { key });
      const fixed = await pay(invoice.id, { amountMinor: 500 }, { key });

      expect(tooMuch.status).toBe(409);
      expect(fixed.status).toBe(201);
    });
  });

  it('when 20 payments race on one invoice, then exactly the outstanding amount is taken and the rest are refused with 409', async () => {
    const invoice = await openInvoice(adminToken, owner.id, oneLine(1_000));

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => pay(invoice.id, { amountMinor: 100 })),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 409)).toHaveLength(10);
    const { rows } = await db.query(
      `SELECT i.status, i.paid_minor, (SELECT sum(amount_minor) FROM payments p WHERE p.invoice_id = i.id) AS taken
       FROM invoices i WHERE i.id = $1`,
      [invoice.id],
    );
    expect(rows).toEqual([{ status: 'paid', paid_minor: '1000', taken: '1000' }]);
    expect(await paidEventsFor(invoice.id)).toHaveLength(1);
  });

  it('when a payment exceeds what is still owed, then 409 and the invoice is unchanged', async () => {
    const invoice = await openInvoice(adminToken, owner.id, oneLine(1_000));
    await pay(invoice.id, { amountMinor: 700 });

    const response = await pay(invoice.id, { amountMinor: 301 });

    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('The payment of 301 exceeds the 300 EUR still owed');
    expect(await paymentsOf(invoice.id)).toHaveLength(1);
  });

  it("when the invoice's account is suspended, then 409 and nothing is paid", async () => {
    const invoice = await openInvoice(adminToken, suspended.id, oneLine(1_000));
    // Otherwise the platform's revocation list refuses the token with 401 before billing's own check.
    await exemptFromRevocation(suspended.id);
    await broker.publish(userEvent('user.disabled', suspended));
    await eventually(
      async () => (await accountRowsOf(db, suspended.id)).find((row) => row.status === 'suspended'),
      { timeoutMs: 15_000 },
    );

    const response = await pay(invoice.id, { amountMinor: 1_000 }, { token: await suspended.token() });

    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('The billing account is suspended; it cannot pay');
    expect(await paymentsOf(invoice.id)).toEqual([]);
  });

  it('when the invoice is still a draft or already void or paid, then 409', async () => {
    const draft = await draftInvoice(adminToken, owner.id);
    const voided = await openInvoice(adminToken, owner.id);
    await call('POST', `/billing/invoices/${voided.id}/void`, { token: adminToken });
    const paid = await openInvoice(adminToken, owner.id, oneLine(100));
    expect((await pay(paid.id, { amountMinor: 100 })).status).toBe(201);

    for (const invoice of [draft, voided, paid]) {
      expect((await pay(invoice.id, { amountMinor: 100 })).status).toBe(409);
    }
    expect((await call('POST', `/billing/invoices/${paid.id}/void`, { token: adminToken })).status).toBe(409);
  });

  it("when another user pays someone's invoice, then 404 as if it did not exist", async () => {
    const invoice = await openInvoice(adminToken, owner.id);

    const response = await pay(invoice.id, { amountMinor: 100 }, { token: otherToken });

    expect(response.status).toBe(404);
    expect(await paymentsOf(invoice.id)).toEqual([]);
  });

  it('when a billing administrator records a bank transfer on a user invoice, then 201 recorded by the administrator', async () => {
    const invoice = await openInvoice(adminToken, owner.id, oneLine(300));

    const response = await pay(
      invoice.id,
      { amountMinor: 300, method: 'bank_transfer' },
      { token: adminToken },
    );

    expect(response.status).toBe(201);
    expect(await paymentsOf(invoice.id)).toEqual([
      { amount_minor: '300', recorded_by: claimsOf(adminToken).sub },
    ]);
  });

  it('when the body carries card data, then 400 and no card number is stored anywhere', async () => {
    const invoice = await openInvoice(adminToken, owner.id);
    const card = '4111111111111111';

    const response = await pay(invoice.id, { amountMinor: 100, cardNumber: card, cvc: '123' });

    expect(response.status).toBe(400);
    expect(await paymentsOf(invoice.id)).toEqual([]);
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM payments p WHERE p::text LIKE $1)::int
            + (SELECT count(*) FROM idempotency_records r WHERE r::text LIKE $1)::int AS n`,
      [`%${card}%`],
    );
    expect(rows[0].n).toBe(0);
  });

  it('when there is no token, then 401', async () => {
    const invoice = await openInvoice(adminToken, owner.id);

    const response = await call('POST', `/billing/invoices/${invoice.id}/payments`, {
      body: { amountMinor: 100 },
      headers: { 'Idempotency-Key': randomUUID() },
    });

    expect(response.status).toBe(401);
  });
});
