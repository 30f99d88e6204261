/**
 * Builds the platform's OpenTelemetry Collector with the official builder (ocb) from the manifest
 * otel/collector-builder.yaml, into .cache/tools/. Idempotent: the binary is kept under the
 * builder's pinned version (dev/versions.json) and a hash of the manifest, so it is built once and
 * again only when either changes. Go's module and build caches (outside the checkout) make a
 * rebuild after a manifest change much faster than the first, cold build.
 *
 *   npx tsx dev/tools/otel-collector.ts      build when missing, print where the binary is
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { repoRoot } from '@platform/platform/environment';
import { run } from '../stack/processes.js';

interface Versions {
  goToolchain: string;
  otelCollectorBuilder: string;
}

const versions = JSON.parse(readFileSync(join(repoRoot, 'dev', 'versions.json'), 'utf8')) as Versions;
export const collectorManifest = join(repoRoot, 'otel', 'collector-builder.yaml');
const toolsDir = join(repoRoot, '.cache', 'tools');
const builderPackage = 'go.opentelemetry.io/collector/cmd/builder';

function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // The pinned builder and collector modules need a newer Go than some machines have; the go
  // command fetches this toolchain from the module proxy.
  return { ...process.env, GOTOOLCHAIN: versions.goToolchain, CGO_ENABLED: '0', ...extra };
}

/** Where the collector for the current manifest lives (whether built yet or not). */
export function collectorBinaryPath(): string {
  const manifest = readFileSync(collectorManifest, 'utf8');
  const hash = createHash('sha256').update(manifest).digest('hex').slice(0, 12);
  return join(toolsDir, `otelcol-platform-${versions.otelCollectorBuilder}-${hash}`, 'otelcol-platform');
}

async function ensureBuilder(log: (line: string) => void): Promise<string> {
  const dir = join(toolsDir, `ocb-${versions.otelCollectorBuilder}`);
  const binary = join(dir, 'builder');
  if (existsSync(binary)) return binary;
  const go = await run('go', ['version']).catch(() => undefined);
  if (go?.code !== 0)
    throw new Error('Go is needed to build the OpenTelemetry Collector (https://go.dev/dl/)');
  const staging = `${dir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`installing the collector builder ${versions.otelCollectorBuilder}`);
  const result = await run('go', ['install', `${builderPackage}@${versions.otelCollectorBuilder}`], {
    env: goEnv({ GOBIN: staging }),
  });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `installing ${builderPackage}@${versions.otelCollectorBuilder} failed:\n${tail(result.stderr)}`,
    );
  }
  mkdirSync(dir, { recursive: true });
  if (!existsSync(binary)) renameSync(join(staging, 'builder'), binary);
  rmSync(staging, { recursive: true, force: true });
  return binary;
}

/**
 * Returns the collector binary, building it first when this manifest has not been built yet.
 * Built in a private folder and renamed into place, so a build that dies half-way (or a
 * concurrent one) never leaves a binary that looks finished.
 */
export async function ensureOtelCollector(log: (line: string) => void = () => {}): Promise<string> {
  const binary = collectorBinaryPath();
  if (existsSync(binary)) return binary;
  const builder = await ensureBuilder(log);
  const staging = join(toolsDir, `otelcol-platform.building-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const manifest = parse(readFileSync(collectorManifest, 'utf8')) as { dist: Record<string, unknown> };
  manifest.dist.output_path = join(staging, 'build');
  writeFileSync(join(staging, 'manifest.yaml'), stringify(manifest));
  const started = Date.now();
  log('building the OpenTelemetry Collector (a cold build takes minutes)');
  const result = await run(builder, ['--config', join(staging, 'manifest.yaml'), '--ldflags=-s -w'], {
    cwd: staging,
    env: goEnv(),
  });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`building the collector failed:\n${tail(result.stderr || result.stdout)}`);
  }
  mkdirSync(join(binary, '..'), { recursive: true });
  if (!existsSync(binary)) renameSync(join(staging, 'build', 'otelcol-platform'), binary);
  rmSync(staging, { recursive: true, force: true });
  log(`built the collector in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return binary;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-15).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const binary = await ensureOtelCollector((line) => console.log(`[tools] ${line}`));
    console.log(`[tools] otelcol-platform: ${binary.slice(repoRoot.length + 1)}`);
  } catch (error) {
    console.error(`[tools] ${(error as Error).message}`);
    process.exit(1);
  }
}
