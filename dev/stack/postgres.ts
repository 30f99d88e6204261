import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Environment, postgresAdminUrl, secret } from '@platform/platform/environment';
import { databaseOwners } from '@platform/platform/topology';
import { dataDir, logFile, runDir } from './paths.js';
import { asUser, isAlive, ownFor, readPid, run, runOrFail, StepError, tcpListening } from './processes.js';
import { postgresBinDir } from './system-packages.js';

const pgData = join(dataDir, 'postgres');
const log = logFile('postgres');

export function postgresPid(): number | undefined {
  return readPid(join(pgData, 'postmaster.pid'));
}

/**
 * Starts PostgreSQL on its local address and, with the local mesh (`mesh`: the bridge's address
 * and subnet), on the bridge's address too, admitting password logins from the pods' subnet. A
 * running server that does not listen on the bridge yet restarts.
 */
export async function startPostgres(
  env: Environment,
  secrets: Record<string, string>,
  mesh?: { address: string; subnet: string },
): Promise<string> {
  const bin = postgresBinDir();
  const where = [env.postgres.host, ...(mesh ? [mesh.address] : [])].map(
    (host) => `${host}:${env.postgres.port}`,
  );
  let restarted = '';
  if (isAlive(postgresPid())) {
    const admitted = mesh ? admitSubnet(mesh.subnet) : false;
    if (!mesh || (await tcpListening(mesh.address, env.postgres.port))) {
      if (admitted) await pgCtl(['reload']);
      return `running on ${where.join(', ')}`;
    }
    await stopPostgres();
    restarted = 'restarted to listen on the mesh bridge too, ';
  }
  let created = '';
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    mkdirSync(pgData, { recursive: true });
    ownFor('postgres', pgData);
    mkdirSync(runDir, { recursive: true });
    const pwfile = join(runDir, 'postgres-superuser.pw');
    writeFileSync(pwfile, `${secret(secrets, 'POSTGRES_SUPERUSER_PASSWORD')}\n`, { mode: 0o600 });
    ownFor('postgres', pwfile);
    try {
      const [command, args] = asUser('postgres', join(bin, 'initdb'), [
        '-D',
        pgData,
        '-U',
        'postgres',
        `--pwfile=${pwfile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=peer',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
      ]);
      await runOrFail(command, args);
    } finally {
      rmSync(pwfile, { force: true });
    }
    created = 'initialised, ';
  }
  mkdirSync(join(log, '..'), { recursive: true });
  if (!existsSync(log)) writeFileSync(log, '');
  ownFor('postgres', log);
  if (mesh) admitSubnet(mesh.subnet);
  const options = [
    `-c listen_addresses=${[env.postgres.host, ...(mesh ? [mesh.address] : [])].join(',')}`,
    `-p ${env.postgres.port}`,
    // TCP only: no socket directory to create or clean up.
    "-c unix_socket_directories=''",
    '-c max_connections=200',
  ].join(' ');
  const [command, args] = asUser('postgres', join(bin, 'pg_ctl'), [
    '-D',
    pgData,
    '-l',
    log,
    '-o',
    options,
    '-w',
    '-t',
    '60',
    'start',
  ]);
  const result = await run(command, args);
  if (result.code !== 0)
    throw new StepError(`pg_ctl start failed: ${result.stderr.trim() || result.stdout.trim()}`, log);
  await ensureDatabases(env, secrets);
  return `${created}${restarted}started on ${where.join(', ')}`;
}

/** Adds a password (SCRAM) login rule for a subnet to pg_hba.conf; returns whether it was missing. */
function admitSubnet(subnet: string): boolean {
  const file = join(pgData, 'pg_hba.conf');
  const rule = `host all all ${subnet} scram-sha-256`;
  const present = readFileSync(file, 'utf8')
    .split('\n')
    .some((line) => line.trim().split(/\s+/).join(' ') === rule);
  if (present) return false;
  appendFileSync(file, `# The local mesh's pods (dev/stack/postgres.ts).\n${rule}\n`);
  return true;
}

async function pgCtl(args: string[]): Promise<void> {
  const [command, commandArgs] = asUser('postgres', join(postgresBinDir(), 'pg_ctl'), [
    '-D',
    pgData,
    ...args,
  ]);
  await runOrFail(command, commandArgs);
}

/** Creates each owner's role and database, and keeps the role's password equal to the configured one. */
export async function ensureDatabases(env: Environment, secrets: Record<string, string>): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl(env, secrets) });
  await client.connect();
  try {
    for (const owner of databaseOwners) {
      const password = secret(secrets, owner.passwordVariable);
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner.user]);
      const verb = role.rowCount ? 'ALTER' : 'CREATE';
      await client.query(`${verb} ROLE ${quoteIdent(owner.user)} LOGIN PASSWORD ${quoteLiteral(password)}`);
      const database = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [owner.name]);
      if (!database.rowCount) {
        await client.query(`CREATE DATABASE ${quoteIdent(owner.name)} OWNER ${quoteIdent(owner.user)}`);
      }
    }
  } finally {
    await client.end();
  }
}

export async function stopPostgres(): Promise<boolean> {
  if (!isAlive(postgresPid())) return false;
  const [command, args] = asUser('postgres', join(postgresBinDir(), 'pg_ctl'), [
    '-D',
    pgData,
    '-m',
    'fast',
    '-w',
    'stop',
  ]);
  await runOrFail(command, args);
  return true;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
