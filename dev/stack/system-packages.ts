import { existsSync, readdirSync } from 'node:fs';
import { run, runOrFail, StepError } from './processes.js';

/** Debian packages the local stack runs, keyed by a file each one installs. */
const required: Record<string, string> = {
  postgresql: '/usr/lib/postgresql',
  'rabbitmq-server': '/usr/lib/rabbitmq/bin/rabbitmq-server',
  'redis-server': '/usr/bin/redis-server',
  unzip: '/usr/bin/unzip',
  maven: '/usr/bin/mvn',
  // Prometheus and promtool (alert rules are checked and unit-tested with it).
  prometheus: '/usr/bin/prometheus',
  // ip and ss: the local mesh's network namespaces, bridge and veth pairs.
  iproute2: '/usr/sbin/ip',
};

export function missingPackages(): string[] {
  return Object.entries(required)
    .filter(([, file]) => !existsSync(file))
    .map(([name]) => name);
}

/** Installs what is missing with apt-get (needs root); says exactly what to install otherwise. */
export async function ensureSystemPackages(): Promise<string> {
  const missing = missingPackages();
  if (missing.length === 0) return 'present';
  if (process.getuid?.() !== 0) {
    throw new StepError(
      `missing Debian packages: ${missing.join(' ')} (run: sudo apt-get install -y ${missing.join(' ')})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOrFail('apt-get', ['update', '-qq'], { env });
  await runOrFail('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  // Debian starts freshly installed servers on their default ports; the stack runs its own.
  await run('service', ['postgresql', 'stop'], { env });
  await run('service', ['rabbitmq-server', 'stop'], { env });
  await run('service', ['redis-server', 'stop'], { env });
  await run('service', ['prometheus', 'stop'], { env });
  return `installed ${missing.join(', ')}`;
}

/** The newest installed PostgreSQL's binaries (Debian keeps them per major version). */
export function postgresBinDir(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new StepError('no PostgreSQL installation under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}
