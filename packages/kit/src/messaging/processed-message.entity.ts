import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A message a consumer has already applied. Written in the handler's transaction, so "applied"
 * and "recorded as applied" commit or roll back together, which makes redelivery harmless.
 */
@Entity({ name: 'processed_messages' })
// The retention pruner finds expired rows by age.
@Index('processed_messages_processed_at_idx', ['processedAt'])
export class ProcessedMessage {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}
