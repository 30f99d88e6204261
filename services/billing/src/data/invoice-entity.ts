import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { InvoiceLine, InvoiceRecord, InvoiceStatus } from '../domain/invoice-store.js';
import { minorUnitsTransformer } from './minor-units-transformer.js';

@Entity({ name: 'invoices' })
export class Invoice implements InvoiceRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text', default: 'draft' })
  status!: InvoiceStatus;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'jsonb' })
  lines!: InvoiceLine[];

  @Column({ name: 'total_minor', type: 'bigint', transformer: minorUnitsTransformer })
  totalMinor!: number;

  @Column({ name: 'paid_minor', type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  paidMinor!: number;

  @Column({ name: 'finalized_at', type: 'timestamptz', precision: 3, nullable: true })
  finalizedAt!: Date | null;

  @Column({ name: 'paid_at', type: 'timestamptz', precision: 3, nullable: true })
  paidAt!: Date | null;

  @Column({ name: 'voided_at', type: 'timestamptz', precision: 3, nullable: true })
  voidedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @VersionColumn({ type: 'integer' })
  version!: number;
}
