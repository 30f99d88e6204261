/**
 * Fault injection for tests: stop and start parts of the running local stack, through the
 * stack's own modules, so a component comes back exactly as `npm run stack` starts it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Environment,
  loadEnvironment,
  loadSecrets,
  localOnly,
  serviceNames,
} from '@platform/platform/environment';
import { startKeycloak, stopKeycloak } from './stack/keycloak.js';
import { meshRecorded } from './stack/mesh-mode.js';
import { startPostgres, stopPostgres } from './stack/postgres.js';
import { httpOk, tcpListening, waitFor } from './stack/processes.js';
import { startBrokerApp, stopBrokerApp } from './stack/rabbitmq.js';
import { servicePids } from './stack/services.js';
import { withStackLock } from './stack/stack-lock.js';

/** A component tests may take away from the services for a while. */
export type StoppableComponent = 'postgres' | 'rabbitmq' | 'keycloak';

/** A broker outage: the RabbitMQ application stops (connections drop), the node stays up. */
export async function stopBroker(): Promise<void> {
  await stopBrokerApp(loadEnvironment());
}

/**
 * Starts the broker application again and resolves once it has started, with the moment
 * (`Date.now()`) its AMQP port first accepted a connection: what "the broker is back" means to a
 * client, to measure recovery from.
 */
export async function startBroker(): Promise<{ portAcceptedAt: number }> {
  const env = loadEnvironment();
  return whileWatchingPort(env.rabbitmq, () => startBrokerApp(env));
}

/** Runs `start` and notes when `address` first accepts a TCP connection meanwhile (or at its end). */
async function whileWatchingPort(
  address: { host: string; port: number },
  start: () => Promise<unknown>,
): Promise<{ portAcceptedAt: number }> {
  let portAcceptedAt: number | undefined;
  let starting = true;
  const watch = (async () => {
    while (starting && portAcceptedAt === undefined) {
      if (await tcpListening(address.host, address.port, 200)) portAcceptedAt = Date.now();
      else await sleep(20);
    }
  })();
  try {
    await start();
  } finally {
    starting = false;
    await watch;
  }
  return { portAcceptedAt: portAcceptedAt ?? Date.now() };
}

function addressOf(component: StoppableComponent, env: Environment): { host: string; port: number } {
  if (component === 'postgres') return env.postgres;
  if (component === 'rabbitmq') return env.rabbitmq;
  const url = new URL(env.keycloak.internalUrl);
  return { host: url.hostname, port: Number(url.port) };
}

async function stopComponent(component: StoppableComponent, env: Environment): Promise<void> {
  if (component === 'postgres') await stopPostgres();
  else if (component === 'rabbitmq') await stopBrokerApp(env);
  else await stopKeycloak();
}

async function startComponent(component: StoppableComponent, env: Environment): Promise<void> {
  const secrets = loadSecrets();
  if (component === 'postgres') {
    // In the local mesh the pods reach PostgreSQL on the bridge's address: start it as `stack up` does.
    const mesh = meshRecorded() ? localOnly(env.mesh, 'mesh', env) : undefined;
    await startPostgres(env, secrets, mesh && { address: mesh.hostAddress, subnet: mesh.subnet });
  } else if (component === 'rabbitmq') await startBrokerApp(env);
  else await startKeycloak(env, secrets);
}

/**
 * Waits until Keycloak and every service of the stack report ready again, so the next test finds
 * the stack whole (Keycloak keeps its data in PostgreSQL, so it too recovers from that outage).
 */
export async function waitForStackReady(timeoutMs = 90_000): Promise<void> {
  const env = loadEnvironment();
  const keycloak = new URL(env.keycloak.internalUrl);
  await waitFor(
    'keycloak readiness',
    () => httpOk(`http://${keycloak.hostname}:${env.keycloak.managementPort}/health/ready`),
    { timeoutMs },
  );
  for (const name of serviceNames) {
    const { host, managementPort } = env.services[name];
    await waitFor(`${name} readiness`, () => httpOk(`http://${host}:${managementPort}/readyz`), {
      timeoutMs,
    });
  }
}

/** The process id of each service the stack runs, to show a recovery needed no restart. */
export function stackServicePids(): Record<string, number | undefined> {
  return servicePids();
}

/**
 * Stops `component`, runs `work`, and starts it again whatever happens, then waits until the stack
 * is ready again; `backAt` is when the component's port first accepted connections again.
 * Holds the stack's lock throughout, so a `stack up` elsewhere (another test run) neither
 * "repairs" the outage nor restarts a service in the middle of it.
 */
export async function whileStopped<T>(
  component: StoppableComponent,
  work: () => Promise<T>,
): Promise<{ value: T; backAt: number }> {
  const env = loadEnvironment();
  return withStackLock(async () => {
    await stopComponent(component, env);
    let value: T;
    let backAt: number | undefined;
    try {
      value = await work();
    } finally {
      ({ portAcceptedAt: backAt } = await whileWatchingPort(addressOf(component, env), () =>
        startComponent(component, env),
      ));
      await waitForStackReady();
    }
    return { value, backAt };
  }, 180_000);
}
