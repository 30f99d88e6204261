/**
 * The service image: one Dockerfile for every service (the build argument SERVICE names it), linted
 * by hadolint; multi-stage, production dependencies only, a numeric non-root user and an exec-form
 * command on a shell-less runtime base; every workspace manifest in reach of npm ci, whatever
 * workspaces exist; a .dockerignore that keeps the context to what a build reads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@platform/platform/environment';
import { hadolintProblems, tool } from '../manifests.js';

const dockerfile = join(repoRoot, 'services', 'Dockerfile');
const text = readFileSync(dockerfile, 'utf8');

interface Stage {
  name: string;
  base: string;
  instructions: string[];
}

/** The stages of a Dockerfile: FROM lines split it; continuation lines are joined. */
function stagesOf(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ base: from[1]!, name: from[2] ?? `stage${stages.length}`, instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

const workspaceManifests = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
  .workspaces as string[];

/** Every workspace's manifest, as a repository path (the root's `workspaces` globs, expanded). */
function workspaceManifestPaths(): string[] {
  return workspaceManifests.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [`${pattern}/package.json`];
    const folder = pattern.slice(0, -2);
    return readdirSync(join(repoRoot, folder))
      .filter((name) => existsSync(join(repoRoot, folder, name, 'package.json')))
      .map((name) => `${folder}/${name}/package.json`);
  });
}

/** Whether .dockerignore's rules (everything out, then `!` exceptions) let a path into the context. */
function inContext(path: string, rules: string[]): boolean {
  return rules.slice(1).some((rule) => {
    const pattern = rule.slice(1).replace(/\/$/, '/**');
    const regex = new RegExp(
      `^${pattern
        .split('/')
        .map((part) =>
          part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'),
        )
        .join('/')}$`,
    );
    return regex.test(path);
  });
}

const ignoreRules = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'));

beforeAll(() => {
  tool('hadolint');
}, 10 * 60_000);

describe('the service image', () => {
  const stages = stagesOf(text);
  const runtime = stages.at(-1)!;

  it('when hadolint lints the Dockerfile, then it finds nothing', () => {
    expect(hadolintProblems(dockerfile)).toEqual([]);
  });

  it('when a stage reads the build argument SERVICE, then it declares it (an ARG does not cross stages)', () => {
    for (const stage of stages) {
      const uses = stage.instructions.some((line) => !line.startsWith('ARG') && line.includes('${SERVICE}'));
      if (uses) expect(stage.instructions, stage.name).toContain('ARG SERVICE');
    }
    const build = stages.find((stage) => stage.name === 'build')!;
    expect(build.instructions.find((line) => line.startsWith('RUN '))).toContain('test -n "${SERVICE}"');
  });

  it('when built without a target, then the last stage is the distroless runtime, run as a numeric non-root user', () => {
    expect(runtime.name).toBe('runtime');
    expect(text).toMatch(/ARG RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot/);
    expect(runtime.base).toBe('${RUNTIME_IMAGE}');
    const user = runtime.instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    expect(runtime.instructions.filter((line) => line.startsWith('RUN '))).toEqual([]);
  });

  it('when the runtime image starts, then an exec-form command runs the compiled service with telemetry', () => {
    const cmd = runtime.instructions.find((line) => line.startsWith('CMD '))!;
    expect(JSON.parse(cmd.slice(4))).toEqual([
      '--enable-source-maps',
      '--import',
      '@platform/kit/telemetry',
      'dist/main.js',
      'run',
    ]);
  });

  it('when dependencies are installed for the runtime, then only production ones are, for this workspace', () => {
    const install = stages
      .flatMap((stage) => stage.instructions)
      .filter((line) => line.includes('npm ci --omit=dev'));
    expect(install).toHaveLength(1);
    expect(install[0]).toContain('--workspace "services/${SERVICE}"');
    expect(
      runtime.instructions.some((line) => line.startsWith('COPY --from=production-dependencies /app /app')),
    ).toBe(true);
    expect(
      runtime.instructions.filter((line) => line.startsWith('COPY') && !line.includes('--from=')),
    ).toEqual([]);
  });

  it('when npm ci runs, then every workspace manifest is in the context and only manifests reach its stage', () => {
    for (const path of workspaceManifestPaths()) expect(inContext(path, ignoreRules), path).toBe(true);
    const [tree, manifests] = stages;
    expect(tree!.instructions).toContain('COPY . .');
    expect(tree!.instructions).toContain(
      'RUN find . -type f ! -name package.json ! -name package-lock.json -delete',
    );
    expect(manifests!.instructions).toContain(`COPY --from=${tree!.name} /app /app`);
  });

  it('when skaffold dev syncs sources, then the dev stage runs them with tsx watch as the runtime user', () => {
    const dev = stages.find((stage) => stage.name === 'dev')!;
    expect(dev.instructions).toContain(
      runtime.instructions.filter((line) => line.startsWith('USER ')).at(-1),
    );
    expect(dev.instructions.find((line) => line.startsWith('CMD '))).toContain('"watch"');
  });
});

describe('the build context', () => {
  it('when docker sends the context, then .dockerignore admits only manifests, build configs and sources', () => {
    const rules = ignoreRules;
    expect(rules[0]).toBe('*');
    expect(rules.slice(1).every((rule) => rule.startsWith('!'))).toBe(true);
    expect(rules).not.toContain('!.env');
  });
});
