import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Environment, repoRoot } from '@platform/platform/environment';
import { ensureOtelCollector } from '../tools/otel-collector.js';
import { logFile, pidFile, stateDir } from './paths.js';
import { httpOk, isAlive, readPid, startDetached, stopPidFile, waitFor } from './processes.js';
import { traceSinkUrl } from './trace-sink.js';

const pid = pidFile('otel-collector');
const log = logFile('otel-collector');
const hashFile = join(stateDir, 'otel-collector.sha256');
/** The shared configuration, then the local stack's layer over it. */
const configFiles = [
  join(repoRoot, 'otel', 'collector.yaml'),
  join(repoRoot, 'otel', 'collector.local.yaml'),
];

export function otelCollectorPid(): number | undefined {
  return readPid(pid);
}

/** Builds the collector from otel/collector-builder.yaml once (minutes, cold); later runs reuse it. */
export async function ensureOtelCollectorBinary(): Promise<string> {
  const binary = await ensureOtelCollector((line) => console.log(`[stack]   ${line}`));
  return `${relative(repoRoot, binary)}`;
}

function collectorEnv(env: Environment): NodeJS.ProcessEnv {
  const { host, otlpGrpcPort, otlpHttpPort, metricsPort } = env.otelCollector;
  return {
    ...process.env,
    OTELCOL_OTLP_GRPC_ENDPOINT: `${host}:${otlpGrpcPort}`,
    OTELCOL_OTLP_HTTP_ENDPOINT: `${host}:${otlpHttpPort}`,
    OTELCOL_TRACES_ENDPOINT: traceSinkUrl(env),
    OTELCOL_METRICS_HOST: host,
    OTELCOL_METRICS_PORT: String(metricsPort),
  };
}

/** Starts the collector, or restarts it when its binary, configuration or addresses changed. */
export async function startOtelCollector(env: Environment): Promise<string> {
  const binary = await ensureOtelCollector();
  const vars = collectorEnv(env);
  const hash = createHash('sha256')
    .update(binary)
    .update(configFiles.map((file) => readFileSync(file, 'utf8')).join('\n'))
    .update(JSON.stringify(Object.entries(vars).filter(([name]) => name.startsWith('OTELCOL_'))))
    .digest('hex');
  const { host, otlpHttpPort, metricsPort } = env.otelCollector;
  const ready = `http://${host}:${metricsPort}/metrics`;
  const running = isAlive(otelCollectorPid());
  if (running && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash) {
    await waitFor('otel collector', () => httpOk(ready), { timeoutMs: 10_000, log });
    return `running (OTLP http://${host}:${otlpHttpPort})`;
  }
  if (running) await stopPidFile(pid);
  const child = startDetached(
    binary,
    configFiles.flatMap((file) => ['--config', file]),
    {
      log,
      pidFile: pid,
      env: vars,
      cwd: repoRoot,
    },
  );
  await waitFor('otel collector', () => httpOk(ready), {
    timeoutMs: 20_000,
    intervalMs: 200,
    log,
    alive: () => isAlive(child),
  });
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(hashFile, `${hash}\n`);
  return `${running ? 'restarted (configuration changed)' : 'started'} (OTLP http://${host}:${otlpHttpPort})`;
}

export function stopOtelCollector(): Promise<boolean> {
  return stopPidFile(pid);
}
