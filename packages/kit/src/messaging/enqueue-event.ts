import type { EntityManager } from 'typeorm';
import { eventEnvelopeSchema, type EventEnvelope } from '@platform/contracts';

/**
 * Writes an event to the outbox with the caller's transaction, so it is published if and only
 * if the state change it describes commits. Refuses to run outside a transaction, where that
 * guarantee would silently be lost.
 */
export async function enqueueEvent(manager: EntityManager, envelope: EventEnvelope): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      'enqueueEvent needs the EntityManager of an open transaction (dataSource.transaction(...))',
    );
  }
  eventEnvelopeSchema.parse(envelope);
  // Plain SQL so the outbox works whether or not the service registered the kit's entities.
  await manager.query(`INSERT INTO outbox_events (id, type, payload) VALUES ($1, $2, $3)`, [
    envelope.id,
    envelope.type,
    JSON.stringify(envelope),
  ]);
}
