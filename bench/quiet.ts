import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** CPU time since boot, all cores: busy and total, in the kernel's ticks (/proc/stat). */
function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3]! + fields[4]!; // idle and iowait
  return { busy: total - idle, total };
}

/**
 * Waits until the machine is quiet: the busy share of all cores stays under `busyBelow` for
 * `seconds` one-second samples running. A baseline measured while something else works (a service
 * still exporting the last case's spans, a burst's aftermath) flatters every ratio taken against
 * it. The stack at rest keeps the machine 5–20 % busy (Keycloak, Prometheus's scrapes). Gives up
 * after `timeoutMs`; resolves with how long it waited, the last sample's busy share, and whether
 * the machine was quiet in the end.
 */
export async function untilQuiet({ busyBelow = 0.25, seconds = 2, timeoutMs = 60_000 } = {}): Promise<{
  waitedMs: number;
  busy: number;
  quiet: boolean;
}> {
  const started = Date.now();
  let quietSamples = 0;
  let busy = 1;
  let before = cpuTicks();
  while (quietSamples < seconds && Date.now() - started < timeoutMs) {
    await sleep(1000);
    const after = cpuTicks();
    busy = (after.busy - before.busy) / Math.max(after.total - before.total, 1);
    before = after;
    quietSamples = busy < busyBelow ? quietSamples + 1 : 0;
  }
  return { waitedMs: Date.now() - started, busy, quiet: quietSamples >= seconds };
}
