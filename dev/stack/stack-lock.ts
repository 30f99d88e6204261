import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDir } from './paths.js';
import { isAlive, StepError } from './processes.js';

const lockFile = join(runDir, 'stack.lock');

/**
 * Serialises `up`/`down`/`reset`: two overlapping runs (e.g. two test runs) would otherwise both
 * decide a service needs (re)starting and leave a stale process holding its port.
 * A lock whose owner has died is taken over.
 */
export async function withStackLock<T>(action: () => Promise<T>, waitMs = 600_000): Promise<T> {
  mkdirSync(runDir, { recursive: true });
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
      if (!isAlive(owner)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new StepError(`another stack command (pid ${owner}) still holds ${lockFile}`);
      if (!announced) console.log(`[stack] waiting for another stack command (pid ${owner}) to finish`);
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
