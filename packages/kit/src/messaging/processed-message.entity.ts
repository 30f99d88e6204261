import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A message a consumer has already applied. Written in the handler's transaction, so "applied"
 * and "recorded as applied" commit or roll back together, which makes redelivery harmless.
 */
@Entity({ name: 'processed_messages' })
export class ProcessedMessage {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}
