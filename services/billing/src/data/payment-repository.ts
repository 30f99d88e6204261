import { entityManagerOf, type Transaction } from '@platform/kit';
import type { NewPayment, PaymentStore } from '../domain/payment-store.js';
import { Payment } from './payment-entity.js';

export class PaymentRepository implements PaymentStore {
  insert(tx: Transaction, payment: NewPayment): Promise<Payment> {
    const payments = entityManagerOf(tx).getRepository(Payment);
    return payments.save(payments.create(payment));
  }
}
