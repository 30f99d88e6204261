import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '@platform/platform/environment';
import { logFile } from '@platform/dev/stack/paths';

/** A request id no other request carries, so the upstream's own request log can say whether it arrived. */
export const uniqueRequestId = (label: string) =>
  `edge-test-${label.replace(/[^A-Za-z0-9]+/g, '-')}-${randomUUID()}`;

/** The request ids the service logged (the kit logs every request it answered with its id). */
function loggedRequestIds(service: ServiceName): Set<string> {
  const ids = new Set<string>();
  for (const line of readFileSync(logFile(`service-${service}`), 'utf8').split('\n')) {
    const match = /"req":\{"id":"([^"]+)"/.exec(line);
    if (match) ids.add(match[1]!);
  }
  return ids;
}

/** Waits until the service has logged `id` (a control request known to have reached it). */
export async function waitUntilLogged(service: ServiceName, id: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (loggedRequestIds(service).has(id)) return;
    await sleep(100);
  }
  throw new Error(`${service} never logged request ${id}`);
}

/**
 * Which of `ids` reached the service. Call after waitUntilLogged() for a later control request:
 * the log is written in order, so anything absent by then never arrived.
 */
export function idsThatReached(service: ServiceName, ids: string[]): string[] {
  const logged = loggedRequestIds(service);
  return ids.filter((id) => logged.has(id));
}
