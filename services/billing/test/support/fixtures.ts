import type { EventEnvelope } from '@platform/contracts';
import { expect } from 'vitest';
import type pg from 'pg';
import { identityEvent, type Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import type { TestUser } from '@platform/test-support/keycloak-users';
import { accountRowsOf, type AccountRow } from './billing-database.js';
import { call } from './billing-api.js';

/** A user-lifecycle event about a test user, as the auth service publishes it. */
export function userEvent(type: string, user: TestUser): EventEnvelope {
  return identityEvent(type, { userId: user.id, username: user.username, email: user.email });
}

/** Opens the user's billing account the way production does: a real `user.registered` on the broker. */
export async function openAccount(broker: Broker, db: pg.Pool, user: TestUser): Promise<AccountRow> {
  await broker.publish(userEvent('user.registered', user));
  return eventually(async () => (await accountRowsOf(db, user.id))[0], {
    timeoutMs: 15_000,
    what: `the billing account of ${user.username}`,
  });
}

export const twoLines = [
  { description: 'Platform subscription, November', quantity: 1, unitAmountMinor: 1_500 },
  { description: 'Extra seats', quantity: 2, unitAmountMinor: 250 },
];

/** A draft invoice for `userId`, created by a billing administrator. */
export async function draftInvoice(
  adminToken: string,
  userId: string,
  lines: readonly { description: string; quantity: number; unitAmountMinor: number }[] = twoLines,
): Promise<Record<string, unknown> & { id: string }> {
  const response = await call('POST', '/billing/invoices', {
    token: adminToken,
    body: { userId, currency: 'EUR', lines },
  });
  expect(response.status).toBe(201);
  return response.body as Record<string, unknown> & { id: string };
}

/** An invoice that can be paid: drafted, then finalized. */
export async function openInvoice(
  adminToken: string,
  userId: string,
  lines?: readonly { description: string; quantity: number; unitAmountMinor: number }[],
): Promise<Record<string, unknown> & { id: string }> {
  const draft = await draftInvoice(adminToken, userId, lines);
  const response = await call('POST', `/billing/invoices/${draft.id}/finalize`, { token: adminToken });
  expect(response.status).toBe(200);
  return response.body as Record<string, unknown> & { id: string };
}
