/**
 * Schemathesis (PyPI), the property-based API fuzzer the fuzzing suite runs, installed into its own
 * virtual environment under .cache/ at the version pinned in dev/versions.json. Idempotent: an
 * existing install of that version is used as it is.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@platform/platform/environment';
import { cacheDir } from '../stack/paths.js';
import { run } from '../stack/processes.js';

const versions = JSON.parse(readFileSync(join(repoRoot, 'dev', 'versions.json'), 'utf8')) as {
  schemathesis: string;
};

const home = join(cacheDir, `schemathesis-${versions.schemathesis}`);

/** The `st` command of the pinned Schemathesis, installed first when missing. */
export async function ensureSchemathesis(): Promise<string> {
  const command = join(home, 'bin', 'st');
  // A virtual environment's scripts name its own path, so it is built in place; this file marks
  // a finished install (an interrupted one is started again).
  const installed = join(home, '.installed');
  if (existsSync(installed)) return command;
  rmSync(home, { recursive: true, force: true });
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', home]],
    [
      join(home, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${versions.schemathesis}`],
    ],
  ];
  for (const [program, args] of steps) {
    const result = await run(program, args);
    if (result.code !== 0) {
      throw new Error(
        `installing Schemathesis failed: ${program} ${args.join(' ')}\n${result.stderr.trim()}`,
      );
    }
  }
  writeFileSync(installed, `${versions.schemathesis}\n`);
  return command;
}
