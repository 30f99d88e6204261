/** Fault injection for tests: stop and start parts of the running local stack. */
import { loadEnvironment } from '@platform/platform/environment';
import { startBrokerApp, stopBrokerApp } from './stack/rabbitmq.js';

/** A broker outage: the RabbitMQ application stops (connections drop), the node stays up. */
export async function stopBroker(): Promise<void> {
  await stopBrokerApp(loadEnvironment());
}

export async function startBroker(): Promise<void> {
  await startBrokerApp(loadEnvironment());
}
