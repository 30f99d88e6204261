import type { EntityManager } from 'typeorm';
import { Payment } from './payment-entity.js';

export type NewPayment = Pick<
  Payment,
  'invoiceId' | 'accountId' | 'amountMinor' | 'currency' | 'provider' | 'providerReference' | 'recordedBy'
>;

export class PaymentRepository {
  insert(manager: EntityManager, payment: NewPayment): Promise<Payment> {
    const payments = manager.getRepository(Payment);
    return payments.save(payments.create(payment));
  }
}
