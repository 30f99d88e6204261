import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Environment, secret } from '@platform/platform/environment';
import { dataDir, logDir, logFile, pidFile } from './paths.js';
import {
  asUser,
  isAlive,
  ownFor,
  readPid,
  runOrFail,
  startDetached,
  StepError,
  stopProcess,
  tcpListening,
  waitFor,
} from './processes.js';

const rabbitBin = '/usr/lib/rabbitmq/bin';
const base = join(dataDir, 'rabbitmq');
const logBase = join(logDir, 'rabbitmq');
const pid = pidFile('rabbitmq');
const nodeName = 'platform@localhost';

/** Everything that makes this node ours: its name, ports and folders, apart from any system RabbitMQ. */
function nodeEnv(env: Environment): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RABBITMQ_NODENAME: nodeName,
    // The AMQP listeners are in rabbitmq.conf (one per address).
    RABBITMQ_DIST_PORT: String(env.rabbitmq.distPort),
    ERL_EPMD_PORT: String(env.rabbitmq.epmdPort),
    ERL_EPMD_ADDRESS: env.rabbitmq.host,
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: logBase,
    RABBITMQ_PID_FILE: pid,
    RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
  };
}

async function ctl(env: Environment, args: string[]): Promise<string> {
  const [command, commandArgs] = asUser('rabbitmq', join(rabbitBin, 'rabbitmqctl'), [
    '-n',
    nodeName,
    ...args,
  ]);
  return runOrFail(command, commandArgs, { env: nodeEnv(env) });
}

export function rabbitmqPid(): number | undefined {
  return readPid(pid);
}

/**
 * Starts the broker with an AMQP listener on its local address and, with the local mesh, one on
 * the bridge's address too (`alsoOn`); a running broker without the second listener restarts.
 */
export async function startRabbitmq(
  env: Environment,
  secrets: Record<string, string>,
  alsoOn?: string,
): Promise<string> {
  const hosts = [env.rabbitmq.host, ...(alsoOn ? [alsoOn] : [])];
  const where = hosts.map((host) => `${host}:${env.rabbitmq.port}`).join(', ');
  let restarted = '';
  if (isAlive(rabbitmqPid())) {
    await ctl(env, ['await_startup', '--timeout', '60']).catch(async () => {
      // Not booting but stopped: a fault test that failed half-way left the node up without its app.
      await ctl(env, ['start_app']);
      await ctl(env, ['await_startup', '--timeout', '60']);
    });
    if (!alsoOn || (await tcpListening(alsoOn, env.rabbitmq.port))) return `running on ${where}`;
    await stopRabbitmq(env);
    await waitFor('rabbitmq to stop', async () => !isAlive(rabbitmqPid()), { timeoutMs: 30_000 });
    restarted = 'restarted to listen on the mesh bridge too, ';
  }
  for (const dir of [base, join(base, 'mnesia'), logBase]) {
    mkdirSync(dir, { recursive: true });
    // The node runs as the rabbitmq user and dies silently if it cannot write here.
    ownFor('rabbitmq', dir);
  }
  writeFileSync(
    join(base, 'rabbitmq.conf'),
    [
      'loopback_users = none',
      'log.console = false',
      'log.file.level = info',
      ...hosts.map((host, index) => `listeners.tcp.${index + 1} = ${host}:${env.rabbitmq.port}`),
      '',
    ].join('\n'),
  );
  writeFileSync(join(base, 'enabled_plugins'), '[].\n');
  const log = logFile('rabbitmq');
  const runDirForPid = join(pid, '..');
  mkdirSync(runDirForPid, { recursive: true });
  ownFor('rabbitmq', runDirForPid);
  const [command, args] = asUser('rabbitmq', join(rabbitBin, 'rabbitmq-server'), []);
  const launcher = startDetached(command, args, { log, env: nodeEnv(env) });
  await waitFor('rabbitmq pid file', async () => isAlive(rabbitmqPid()), {
    timeoutMs: 60_000,
    log,
    alive: () => isAlive(launcher),
  });
  try {
    await ctl(env, ['await_startup', '--timeout', '90']);
  } catch (error) {
    throw new StepError(`rabbitmq did not start: ${(error as Error).message}`, logBase);
  }
  await ensureUser(env, secrets);
  return `${restarted}started on ${where}`;
}

/** The services' user, with its configured password, on the default vhost. */
async function ensureUser(env: Environment, secrets: Record<string, string>): Promise<void> {
  const user = secret(secrets, 'RABBITMQ_USER');
  const password = secret(secrets, 'RABBITMQ_PASSWORD');
  const users = await ctl(env, ['list_users', '--silent', '--formatter', 'json']);
  const exists = (JSON.parse(users) as { user: string }[]).some((entry) => entry.user === user);
  if (exists) await ctl(env, ['change_password', user, password]);
  else await ctl(env, ['add_user', user, password]);
  await ctl(env, ['set_permissions', '-p', '/', user, '.*', '.*', '.*']);
  // guest is for nobody: drop it so only the configured user can connect.
  await ctl(env, ['delete_user', 'guest']).catch(() => undefined);
}

export async function stopRabbitmq(env: Environment): Promise<boolean> {
  const running = rabbitmqPid();
  if (!isAlive(running)) return false;
  // `rabbitmqctl stop` shuts the node down cleanly, but it answers before the process is gone, and
  // a node it cannot reach would be left running (and holding the ports) after `stack:down`: what is
  // still alive is then stopped like any other process.
  await ctl(env, ['stop']).catch(() => undefined);
  await waitUntilGone(running!, 20_000);
  await stopProcess(running, 10_000);
  return true;
}

async function waitUntilGone(pidToWatch: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pidToWatch) && Date.now() < deadline) await sleep(100);
}

/** Stops only the broker application (the node stays up): a broker outage for tests. */
export async function stopBrokerApp(env: Environment): Promise<void> {
  await ctl(env, ['stop_app']);
}

export async function startBrokerApp(env: Environment): Promise<void> {
  await ctl(env, ['start_app']);
  await ctl(env, ['await_startup', '--timeout', '60']);
}
