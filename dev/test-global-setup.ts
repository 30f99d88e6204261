import { spawnSync } from 'node:child_process';
import { repoRoot } from '@platform/platform/environment';

/** Brings the local stack up before any test runs; a component that cannot start fails the run. */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'dev/stack.ts', 'up'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('the local stack did not come up (see the [stack] lines above)');
}
