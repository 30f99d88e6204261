import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const invoiceStatuses = ['draft', 'open', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitAmountMinor: number;
}

/** Amounts are integer minor units (cents) of an ISO-4217 currency: no floating point money. */
@Entity({ name: 'invoices' })
export class Invoice {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** The owner's Keycloak user id, so ownership checks need no join. */
  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text', default: 'draft' })
  status!: InvoiceStatus;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'jsonb' })
  lines!: InvoiceLine[];

  @Column({ name: 'total_minor', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  totalMinor!: number;

  @Column({ name: 'paid_minor', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  paidMinor!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @VersionColumn({ type: 'integer' })
  version!: number;
}
