import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditRecord } from '../domain/audit-log.js';

@Entity({ name: 'audit_entries' })
export class AuditEntry implements AuditRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The subject of the actor, or `anonymous` for public routes such as sign-up. */
  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  action!: string;

  /** The Keycloak user id the action was about. */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz', precision: 3 })
  occurredAt!: Date;
}
