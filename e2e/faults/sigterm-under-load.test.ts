import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userToken } from '@platform/test-support/tokens';
import { startKeepAliveLoad } from './support/keep-alive-load.js';
import { startServiceProcess, type ServiceProcess } from './support/service-process.js';

const connections = 50;

/**
 * The user service as its own process beside the stack's (same database and broker, like a second
 * replica), under 50 kept-alive connections on GET /users/me, gets SIGTERM mid-load.
 */
describe('SIGTERM under load', () => {
  let service: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    token = await userToken('alice');
    service = await startServiceProcess('user');
  }, 90_000);

  afterAll(async () => {
    await service?.kill();
  });

  it('when a service gets SIGTERM under 50 kept-alive connections, then no request it accepted fails, readiness flips and it exits 0', async () => {
    const load = startKeepAliveLoad({
      url: `${service.url}/users/me`,
      headers: { authorization: `Bearer ${token}` },
      connections,
    });
    await sleep(2_000);

    // Readiness, as a load balancer would see it, from the signal until the management port closes.
    const readiness: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const status = await fetch(`${service.managementUrl}/readyz`)
          .then((response) => response.status)
          .catch(() => undefined);
        if (status === undefined) return;
        readiness.push(status);
        await sleep(20);
      }
    })();
    const signalledAt = Date.now();
    load.mark();
    service.child.kill('SIGTERM');

    const code = await Promise.race([service.exited, sleep(20_000).then(() => 'still running')]);
    const exitMs = Date.now() - signalledAt;
    await Promise.race([load.finished, sleep(5_000)]);
    const report = await load.stop();
    watching = false;
    await watch;
    console.log(
      `[sigterm] ${connections} keep-alive connections: ${report.sent} requests sent ` +
        `(${report.sentAfterMark} after SIGTERM), ${report.failedCount} failed ${JSON.stringify(report.failed)}, ` +
        `by status ${JSON.stringify(report.byStatus)}; ${report.toldToClose} answers said Connection: close; ` +
        `${report.refused} new connections refused (never sent); exit ${code} after ${exitMs} ms; ` +
        `readiness after the signal: ${summarise(readiness)}`,
    );

    expect(code, service.output()).toBe(0);
    expect(report.failed).toEqual({});
    expect(report.sent).toBeGreaterThan(connections);
    // Work in flight at the signal, and the requests already on the wire, were answered.
    expect(report.sentAfterMark).toBeGreaterThan(0);
    // Every connection was told to close by an answer, rather than cut.
    expect(report.toldToClose).toBe(connections);
    // Readiness said 503 while the service drained, and never went back to 200.
    const firstUnready = readiness.indexOf(503);
    expect(firstUnready).toBeGreaterThanOrEqual(0);
    expect(readiness.slice(firstUnready).every((status) => status === 503)).toBe(true);
  }, 60_000);
});

/** `[200, 200, 503, 503, 503]` as `200×2 → 503×3`. */
function summarise(statuses: number[]): string {
  const runs: [number, number][] = [];
  for (const status of statuses) {
    const last = runs.at(-1);
    if (last && last[0] === status) last[1] += 1;
    else runs.push([status, 1]);
  }
  return runs.map(([status, count]) => `${status}×${count}`).join(' → ') || 'none';
}
