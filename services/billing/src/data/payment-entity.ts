import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { PaymentRecord } from '../domain/payment-store.js';
import { minorUnitsTransformer } from './minor-units-transformer.js';

/** There is no column a card number could land in. */
@Entity({ name: 'payments' })
export class Payment implements PaymentRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: minorUnitsTransformer })
  amountMinor!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_reference', type: 'text' })
  providerReference!: string;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
