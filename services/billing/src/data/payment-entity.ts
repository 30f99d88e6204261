import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { minorUnitsTransformer } from './minor-units-transformer.js';

/**
 * One payment towards an invoice, as the provider reported it. Holds the provider's reference,
 * never card data: there is no column a card number could land in.
 */
@Entity({ name: 'payments' })
export class Payment {
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

  /** Which provider took the payment, e.g. `manual`. */
  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_reference', type: 'text' })
  providerReference!: string;

  /** The subject of whoever recorded the payment: the owner, or a billing administrator. */
  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
