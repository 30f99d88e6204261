import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EventEnvelope } from '@platform/contracts';

/**
 * An event written in the same transaction as the state change it describes, waiting for the
 * relay to publish it. Column types are spelled out because esbuild emits no decorator metadata.
 */
@Entity({ name: 'outbox_events' })
@Index('outbox_events_unpublished_idx', ['createdAt'], { where: 'published_at IS NULL' })
@Index('outbox_events_published_idx', ['publishedAt'], { where: 'published_at IS NOT NULL' })
export class OutboxEvent {
  /** The envelope id, so a row and its message can always be matched up. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  /** The whole envelope, published byte-for-byte as JSON. */
  @Column({ type: 'jsonb' })
  payload!: EventEnvelope;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Set after a failed publish so one stuck event backs off without holding back the others. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;
}
