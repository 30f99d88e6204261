/**
 * skaffold.yaml: its structure against skaffold's own published schema for its apiVersion (from the
 * skaffold module, dev/tools/skaffold-schema.ts), and what it points at exists: Dockerfiles and
 * targets, kustomize paths, images the manifests use, sync sources, port-forwarded Services and ports.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '@platform/platform/environment';
import { skaffoldSchema } from '@platform/dev/tools/skaffold-schema';
import { kustomizeBuild, parseObjects, tool, type KubeObject } from '../manifests.js';
import { workloadsOf } from '../checks.js';

/** The parts of a skaffold config these checks read (skaffold's schema validates the whole). */
interface SkaffoldBuild {
  artifacts?: {
    image: string;
    context?: string;
    docker?: { dockerfile?: string; target?: string };
    sync?: { manual?: { src: string; dest: string; strip?: string }[] };
  }[];
}
interface SkaffoldConfig {
  apiVersion: string;
  build?: SkaffoldBuild;
  manifests?: { kustomize?: { paths?: string[] } };
  profiles?: {
    name: string;
    activation?: unknown[];
    build?: SkaffoldBuild;
    manifests?: { kustomize?: { paths?: string[] } };
    portForward?: { resourceName: string; namespace?: string; port: number }[];
  }[];
}

/** Source files (no dependencies, no builds) a skaffold sync glob matches: `**` any folders, `*` within one. */
function matchingSources(glob: string): string[] {
  const pattern = new RegExp(
    `^${glob
      .split('/')
      .map((part) =>
        part === '**'
          ? '(?:[^/]+/)*'
          : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}/`,
      )
      .join('')
      .slice(0, -1)}$`.replace('(?:[^/]+/)*$', '(?:[^/]+/)*[^/]*$'),
  );
  const walk = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir)).flatMap((name) => {
      if (name === 'node_modules' || name === 'dist') return [];
      const path = dir ? `${dir}/${name}` : name;
      return statSync(join(repoRoot, path)).isDirectory() ? walk(path) : [path];
    });
  return ['services', 'packages'].flatMap(walk).filter((path) => pattern.test(path));
}

// A cold machine builds kustomize first (a few minutes); later runs find it in .cache/tools.
beforeAll(() => {
  tool('kustomize');
}, 30 * 60_000);

const config = parse(readFileSync(join(repoRoot, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;

describe('skaffold.yaml', () => {
  let validate: ValidateFunction;
  // A cold machine downloads the skaffold module once (Go's module cache).
  beforeAll(() => {
    // Skaffold's schema carries editor hints (x-intellij-…) that strict mode would refuse.
    validate = new Ajv({ strict: false, allErrors: true }).compile(skaffoldSchema(config.apiVersion));
  }, 10 * 60_000);

  it('when checked against skaffold’s published schema of its apiVersion, then it passes', () => {
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  type Artifact = Record<string, unknown> & { docker: Record<string, unknown> };
  it.each([
    ['a misspelt field', (artifact: Artifact) => (artifact.dockerFile = 'Dockerfile')],
    [
      'docker.cacheTo, which skaffold does not have',
      (artifact: Artifact) => (artifact.docker.cacheTo = ['x']),
    ],
  ])('when the config has %s, then the schema rejects it', (_, plant) => {
    const copy = structuredClone(config);
    plant(copy.build!.artifacts![0] as unknown as Artifact);
    expect(validate(copy)).toBe(false);
  });

  const builds = (): [string, SkaffoldBuild][] => [
    ['default', config.build!],
    ...config
      .profiles!.filter((profile) => profile.build)
      .map((profile) => [profile.name, profile.build!] as [string, SkaffoldBuild]),
  ];

  it('when images are built, then each Dockerfile exists and has the target asked for', () => {
    for (const [, build] of builds()) {
      for (const artifact of build.artifacts ?? []) {
        const dockerfile = join(repoRoot, artifact.context ?? '.', artifact.docker!.dockerfile!);
        expect(existsSync(dockerfile)).toBe(true);
        expect(readFileSync(dockerfile, 'utf8')).toMatch(
          new RegExp(`^FROM \\S+ AS ${artifact.docker!.target}$`, 'm'),
        );
      }
    }
  });

  it('when the dev profile syncs files, then every source but a migration is synced into the image, at /app', () => {
    const dev = config.profiles!.find((profile) => profile.name === 'dev')!;
    for (const artifact of dev.build!.artifacts!) {
      expect(artifact.docker?.target).toBe('dev');
      const service = artifact.image.replace(/-service$/, '');
      const rules = artifact.sync!.manual!;
      expect(rules.every((rule) => rule.dest === '/app' && rule.strip === undefined)).toBe(true);
      const synced = new Set(rules.flatMap((rule) => matchingSources(rule.src)));
      const sources = matchingSources(`services/${service}/src/**/*.ts`);
      const [migrations, others] = [
        sources.filter((path) => path.includes('/migrations/')),
        sources.filter((path) => !path.includes('/migrations/')),
      ];
      // A migration is rebuilt into the image instead, so the pod restarts and its init container migrates.
      expect(others.filter((path) => !synced.has(path))).toEqual([]);
      expect(migrations.filter((path) => synced.has(path))).toEqual([]);
      expect(matchingSources('packages/kit/src/**/*.ts').every((path) => synced.has(path))).toBe(true);
    }
  });

  it('when `skaffold dev` runs, then the dev profile activates itself', () => {
    const dev = config.profiles!.find((profile) => profile.name === 'dev')!;
    expect(dev.activation).toEqual([{ command: 'dev' }]);
  });

  describe.each([
    ['default', () => config.manifests!.kustomize!.paths!],
    ['prod', () => config.profiles!.find((profile) => profile.name === 'prod')!.manifests!.kustomize!.paths!],
  ])('the %s deployment', (_, paths) => {
    let objects: KubeObject[] = [];
    beforeAll(() => {
      objects = paths().flatMap((path) => parseObjects(kustomizeBuild(path)));
    });

    it('when skaffold replaces images, then every image it builds is one the manifests use, and every service image is built', () => {
      const images = new Set(
        workloadsOf(objects).flatMap((workload) =>
          [...(workload.pod.initContainers ?? []), ...workload.pod.containers].map(
            (container) => container.image,
          ),
        ),
      );
      for (const [, build] of builds()) {
        const built = (build.artifacts ?? []).map((artifact) => artifact.image);
        expect(built.filter((image) => !images.has(image))).toEqual([]);
        expect([...images].filter((image) => image?.endsWith('-service') && !built.includes(image))).toEqual(
          [],
        );
      }
    });
  });

  it('when the dev profile port-forwards, then each Service and port exists in the dev render', () => {
    const dev = config.profiles!.find((profile) => profile.name === 'dev')!;
    const objects = parseObjects(kustomizeBuild(config.manifests!.kustomize!.paths![0]!));
    for (const forward of dev.portForward!) {
      const service = objects.find(
        (object) =>
          object.kind === 'Service' &&
          object.metadata.name === forward.resourceName &&
          object.metadata.namespace === forward.namespace,
      );
      const ports = (service?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? [];
      expect(
        ports.map((port) => port.port),
        forward.resourceName,
      ).toContain(forward.port);
    }
  });
});
