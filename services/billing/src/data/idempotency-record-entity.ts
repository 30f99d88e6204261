import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The response a request with an `Idempotency-Key` produced, replayed when the key comes again. */
@Entity({ name: 'idempotency_records' })
// The retention pruner finds expired records by age (idempotency-retention.ts).
@Index('idempotency_records_created_at_idx', ['createdAt'])
export class IdempotencyRecord {
  /** Keys are scoped to the caller, so two clients that pick the same key never see each other's response. */
  @PrimaryColumn({ type: 'text' })
  caller!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** A hash of what was asked (route and parsed body), to tell a retry from a reused key. */
  @Column({ name: 'request_fingerprint', type: 'text' })
  requestFingerprint!: string;

  /** Null only inside the transaction that reserved the key; nobody else ever reads it so. */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody!: object | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
