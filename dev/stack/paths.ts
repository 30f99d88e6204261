import { join } from 'node:path';
import { repoRoot } from '@platform/platform/environment';

/** Where the local stack keeps its state: data, logs and pid files (ignored by git). */
export const stackDir = join(repoRoot, '.stack');
export const dataDir = join(stackDir, 'data');
export const logDir = join(stackDir, 'logs');
export const runDir = join(stackDir, 'run');
export const stateDir = join(stackDir, 'state');
/** Downloads and unpacked tools, kept across resets (ignored by git). */
export const cacheDir = join(repoRoot, '.cache');

export const logFile = (name: string) => join(logDir, `${name}.log`);
export const pidFile = (name: string) => join(runDir, `${name}.pid`);
