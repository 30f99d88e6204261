/**
 * Errors that mean PostgreSQL could not be reached or is shutting down (as opposed to a query it
 * refused): the request is worth retrying shortly, so the client gets 503 with Retry-After.
 */
const unavailableCodes = new Set([
  // The socket: refused, reset, timed out, unreachable.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  // SQLSTATE class 08 (connection exception) and 57P0x (the server is shutting down or starting).
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
]);

// node-postgres says these in words only.
const unavailableMessages = [/Connection terminated/i, /timeout exceeded when trying to connect/i];

// When the server drops a connection in the middle of a transaction, TypeORM releases that
// transaction's query runner; the transaction's next statement then fails with this error instead
// of the driver's. Seen when PostgreSQL stops under load (e2e/faults).
const unavailableNames = new Set(['QueryRunnerProviderAlreadyReleasedError']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // TypeORM wraps the driver's error (QueryFailedError.driverError).
  const causes = [error, (error as { driverError?: unknown }).driverError].filter(
    (cause): cause is Error => cause instanceof Error,
  );
  return causes.some(
    (cause) =>
      unavailableCodes.has(String((cause as { code?: unknown }).code)) ||
      unavailableNames.has(cause.name) ||
      unavailableMessages.some((pattern) => pattern.test(cause.message)),
  );
}
