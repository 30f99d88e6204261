import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { createTestUsers, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { userToken } from '@platform/test-support/tokens';
import { call } from './support/billing-api.js';
import { draftInvoice, openAccount, openInvoice, twoLines } from './support/fixtures.js';

describe('invoices', () => {
  let db: pg.Pool;
  let broker: Broker;
  let users: TestUser[] = [];
  let owner: TestUser;
  let ownerToken: string;
  let otherToken: string;
  let adminToken: string;

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    users = await createTestUsers('billing-invoices', 2);
    [owner] = users as [TestUser];
    await openAccount(broker, db, owner);
    ownerToken = await owner.token();
    otherToken = await users[1]!.token();
    adminToken = await userToken('bill');
  });

  afterAll(async () => {
    await broker?.close();
    await deleteTestUsers(users);
    await db?.end();
  });

  describe('POST /billing/invoices', () => {
    it('when a billing administrator creates an invoice, then it is a draft whose total is the sum of its lines', async () => {
      const response = await call('POST', '/billing/invoices', {
        token: adminToken,
        body: { userId: owner.id, currency: 'EUR', lines: twoLines },
      });

      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe(`/billing/invoices/${String(response.body.id)}`);
      expect(response.body).toMatchObject({
        userId: owner.id,
        status: 'draft',
        currency: 'EUR',
        totalMinor: 2_000,
        paidMinor: 0,
        finalizedAt: null,
      });
      const { rows } = await db.query('SELECT total_minor, status FROM invoices WHERE id = $1', [
        response.body.id,
      ]);
      expect(rows).toEqual([{ total_minor: '2000', status: 'draft' }]);
    });

    it('when a user without the billing-admin role creates an invoice, then 403 and nothing is written', async () => {
      const before = await invoiceCount(owner.id);

      const response = await call('POST', '/billing/invoices', {
        token: ownerToken,
        body: { userId: owner.id, currency: 'EUR', lines: twoLines },
      });

      expect(response.status).toBe(403);
      expect(await invoiceCount(owner.id)).toBe(before);
    });

    it.each([
      ['an unknown currency', { currency: 'XYZ' }, 'currency'],
      ['a lower-case currency', { currency: 'eur' }, 'currency'],
      [
        'a fractional amount',
        { lines: [{ description: 'x', quantity: 1, unitAmountMinor: 10.5 }] },
        'lines.0.unitAmountMinor',
      ],
      [
        'a negative amount',
        { lines: [{ description: 'x', quantity: 1, unitAmountMinor: -1 }] },
        'lines.0.unitAmountMinor',
      ],
      ['no lines', { lines: [] }, 'lines'],
      ['a zero total', { lines: [{ description: 'x', quantity: 3, unitAmountMinor: 0 }] }, 'lines'],
      ['an unknown field', { discount: 10 }, 'body'],
    ])('when the body has %s, then 400 naming %s and nothing is written', async (_case, change, field) => {
      const before = await invoiceCount(owner.id);

      const response = await call('POST', '/billing/invoices', {
        token: adminToken,
        body: { userId: owner.id, currency: 'EUR', lines: twoLines, ...change },
      });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await invoiceCount(owner.id)).toBe(before);
    });

    it('when the user has no billing account, then 422 naming userId', async () => {
      const response = await call('POST', '/billing/invoices', {
        token: adminToken,
        body: { userId: randomUUID(), currency: 'EUR', lines: twoLines },
      });

      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'userId' })]);
    });
  });

  describe('state machine', () => {
    it('when a draft is finalized, then it is open; finalizing it again is 409', async () => {
      const draft = await draftInvoice(adminToken, owner.id);

      const finalized = await call('POST', `/billing/invoices/${draft.id}/finalize`, { token: adminToken });
      const again = await call('POST', `/billing/invoices/${draft.id}/finalize`, { token: adminToken });

      expect(finalized.status).toBe(200);
      expect(finalized.body).toMatchObject({ status: 'open', finalizedAt: expect.any(String) });
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(again.body.detail).toBe('An invoice that is open cannot become open');
    });

    it('when an open invoice is voided, then it is void; voiding or finalizing it afterwards is 409', async () => {
      const open = await openInvoice(adminToken, owner.id);

      const voided = await call('POST', `/billing/invoices/${open.id}/void`, { token: adminToken });
      const voidAgain = await call('POST', `/billing/invoices/${open.id}/void`, { token: adminToken });
      const finalize = await call('POST', `/billing/invoices/${open.id}/finalize`, { token: adminToken });

      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({ status: 'void', voidedAt: expect.any(String) });
      expect(voidAgain.status).toBe(409);
      expect(finalize.status).toBe(409);
      const { rows } = await db.query('SELECT status FROM invoices WHERE id = $1', [open.id]);
      expect(rows).toEqual([{ status: 'void' }]);
    });

    it('when a draft is voided, then it is void without ever having been open', async () => {
      const draft = await draftInvoice(adminToken, owner.id);

      const voided = await call('POST', `/billing/invoices/${draft.id}/void`, { token: adminToken });

      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({ status: 'void', finalizedAt: null });
    });

    it('when the owner tries to finalize or void, then 403', async () => {
      const draft = await draftInvoice(adminToken, owner.id);

      expect(
        (await call('POST', `/billing/invoices/${draft.id}/finalize`, { token: ownerToken })).status,
      ).toBe(403);
      expect((await call('POST', `/billing/invoices/${draft.id}/void`, { token: ownerToken })).status).toBe(
        403,
      );
    });

    it('when the invoice does not exist, then finalize is 404', async () => {
      const response = await call('POST', `/billing/invoices/${randomUUID()}/finalize`, {
        token: adminToken,
      });

      expect(response.status).toBe(404);
    });
  });

  describe('GET /billing/invoices/{id}', () => {
    let invoiceId: string;

    beforeAll(async () => {
      invoiceId = (await draftInvoice(adminToken, owner.id)).id;
    });

    it.each([
      ['the owner', () => ownerToken, 200],
      ['another user', () => otherToken, 404],
      ['a billing administrator', () => adminToken, 200],
      ['nobody (no token)', () => undefined, 401],
    ])('when %s asks, then %i', async (_who, token, status) => {
      const response = await call('GET', `/billing/invoices/${invoiceId}`, { token: token() });

      expect(response.status).toBe(status);
      if (status === 200) expect(response.body).toMatchObject({ id: invoiceId, userId: owner.id });
    });

    it("when another user asks for someone's invoice, then the answer is the same as for an id that does not exist", async () => {
      const someoneElses = await call('GET', `/billing/invoices/${invoiceId}`, { token: otherToken });
      const missing = await call('GET', `/billing/invoices/${randomUUID()}`, { token: otherToken });

      expect(someoneElses.status).toBe(missing.status);
      expect(someoneElses.body.detail).toBe(missing.body.detail);
    });

    it('when the id is not a UUID, then 400', async () => {
      const response = await call('GET', '/billing/invoices/not-a-uuid', { token: ownerToken });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    });
  });

  describe('GET /billing/invoices', () => {
    it('when the owner lists, then only their invoices; another user sees none of them', async () => {
      await draftInvoice(adminToken, owner.id);

      const mine = await call('GET', '/billing/invoices?limit=100', { token: ownerToken });
      const others = await call('GET', `/billing/invoices?limit=100&userId=${owner.id}`, {
        token: otherToken,
      });

      const mineItems = mine.body.items as { userId: string }[];
      expect(mine.status).toBe(200);
      expect(mineItems.length).toBeGreaterThan(0);
      expect(mineItems.every((item) => item.userId === owner.id)).toBe(true);
      expect(others.status).toBe(200);
      expect(others.body.items).toEqual([]);
    });

    it('when a billing administrator filters by user and status, then pages through exactly those invoices', async () => {
      const first = await call('GET', `/billing/invoices?userId=${owner.id}&status=draft&limit=1`, {
        token: adminToken,
      });
      const second = await call(
        'GET',
        `/billing/invoices?userId=${owner.id}&status=draft&limit=1&cursor=${String(first.body.nextCursor)}`,
        { token: adminToken },
      );

      expect(first.status).toBe(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const [a] = first.body.items as { id: string; userId: string; status: string }[];
      const [b] = second.body.items as { id: string; userId: string; status: string }[];
      expect(a).toMatchObject({ userId: owner.id, status: 'draft' });
      expect(b).toMatchObject({ userId: owner.id, status: 'draft' });
      expect(b!.id).not.toBe(a!.id);
    });

    it('when the currency filter is not a currency, then 400', async () => {
      const response = await call('GET', '/billing/invoices?currency=EURO', { token: adminToken });

      expect(response.status).toBe(400);
    });
  });

  async function invoiceCount(userId: string): Promise<number> {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM invoices WHERE user_id = $1', [userId]);
    return rows[0].n as number;
  }
});
