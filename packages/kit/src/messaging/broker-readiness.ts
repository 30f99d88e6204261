import type { ReadinessCheck } from '../readiness-check.js';
import type { AmqpConnection } from './amqp-connection.js';

/** Ready only while connected with every channel, exchange, queue and consumer in place. */
export function brokerReadinessCheck(amqp: AmqpConnection): ReadinessCheck {
  return {
    name: 'broker',
    async check() {
      if (!amqp.isConnected()) throw new Error('not connected to the message broker');
    },
  };
}
