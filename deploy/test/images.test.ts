/**
 * The service images: one Dockerfile per service, the same apart from the service's name, linted
 * by hadolint; multi-stage, production dependencies only, a numeric non-root user and an exec-form
 * command on a shell-less runtime base; every workspace manifest copied (npm ci checks the
 * lockfile against all of them); a .dockerignore that keeps the context to what a build reads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, serviceNames } from '../../dev/environment.js';
import { hadolintProblems, tool } from '../manifests.js';

const dockerfileOf = (service: string) => join(repoRoot, 'services', service, 'Dockerfile');
const read = (service: string) => readFileSync(dockerfileOf(service), 'utf8');

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

beforeAll(() => {
  tool('hadolint');
}, 10 * 60_000);

describe.each(serviceNames)('the %s service image', (service) => {
  const text = read(service);
  const stages = stagesOf(text);
  const runtime = stages.at(-1)!;

  it('when hadolint lints the Dockerfile, then it finds nothing', () => {
    expect(hadolintProblems(dockerfileOf(service))).toEqual([]);
  });

  it('when compared with the auth service Dockerfile, then only the service name differs', () => {
    // The workspace manifests are all copied by every image; that list is checked on its own below.
    const generic = (source: string, name: string) =>
      source
        .split('\n')
        .filter((line) => !/^COPY \S+\/package\.json /.test(line))
        .join('\n')
        .replaceAll(`services/${name}`, 'services/SERVICE')
        .replaceAll(`The ${name} service`, 'The SERVICE service');
    expect(generic(text, service)).toBe(generic(read('auth'), 'auth'));
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
    expect(install[0]).toContain(`--workspace services/${service}`);
    expect(
      runtime.instructions.some((line) => line.startsWith('COPY --from=production-dependencies /app /app')),
    ).toBe(true);
    expect(
      runtime.instructions.filter((line) => line.startsWith('COPY') && !line.includes('--from=')),
    ).toEqual([]);
  });

  it('when npm ci runs, then the manifest of every workspace is in the image', () => {
    const copied = stages[0]!.instructions
      .filter((line) => /^COPY \S+\/package\.json /.test(line))
      .map((line) => line.split(' ')[1]);
    const expected = workspaceManifests.flatMap((pattern) => {
      const folder = pattern.replace('/*', '');
      return readdirSync(join(repoRoot, folder))
        .filter((name) => existsSync(join(repoRoot, folder, name, 'package.json')))
        .map((name) => `${folder}/${name}/package.json`);
    });
    expect(copied.sort()).toEqual(expected.sort());
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
    const rules = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    expect(rules.slice(1).every((rule) => rule.startsWith('!'))).toBe(true);
    expect(rules).not.toContain('!.env');
  });
});
