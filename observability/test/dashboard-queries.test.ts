/**
 * Every panel of every provisioned dashboard (grafana/dashboards, as Grafana loads them) asks the
 * real Prometheus something it can answer: after traffic through the edge and the services, each
 * query parses, returns data, and names only metrics that are exported. A dashboard that names a
 * metric nobody exports fails here, even behind an `or`.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@platform/platform/environment';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { userToken } from '@platform/test-support/tokens';
import { edgeUrl, freshLoopbackAddress, send } from '@platform/test-support/edge';
import { instantQuery, knownMetricNames } from './support/prometheus.js';
import { metricNamesOf } from './support/promql-names.js';

interface PanelJson {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: PanelJson[];
}

interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

/** Grafana's own variables, as Grafana would fill them for the last hour at the stack's scrape rate. */
const grafanaVariables: Record<string, string> = { __rate_interval: '1m', __range: '15m', __interval: '15s' };

function withVariables(expr: string): string {
  return expr.replace(/\$(__[a-z_]+)/g, (whole, name: string) => grafanaVariables[name] ?? whole);
}

function panelQueries(): PanelQuery[] {
  const dir = join(repoRoot, 'grafana', 'dashboards');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      const dashboard = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        title: string;
        panels: PanelJson[];
      };
      const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
      return panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({
          dashboard: dashboard.title,
          panel: panel.title ?? '(untitled)',
          expr: withVariables(target.expr ?? ''),
        })),
      );
    });
}

/** What is wrong with a panel's query right now: nothing (an empty list), or each problem. */
async function problemsOf(expr: string, exported: Set<string>): Promise<string[]> {
  const problems = metricNamesOf(expr)
    .filter((name) => !exported.has(name))
    .map((name) => `names ${name}, which no target exports`);
  const outcome = await instantQuery(expr);
  if (!outcome.ok) problems.push(`Prometheus refused it: ${outcome.error}`);
  else if (outcome.series === 0) problems.push('returns no data');
  return problems;
}

const queries = panelQueries();
const testUsers: TestUser[] = [];
const signedUp: { id: string }[] = [];
let trafficEndedAt = 0;

async function generateTraffic(): Promise<void> {
  const client = freshLoopbackAddress();
  const json = { 'content-type': 'application/json' };
  // Sign-up (auth, Keycloak Admin API, user.registered consumed by user and billing), then the same
  // e-mail again (409).
  const email = `metrics-${randomUUID().slice(0, 8)}@example.test`;
  const body = JSON.stringify({
    email,
    password: 'Metrics-Password-42',
    firstName: 'Metrics',
    lastName: 'Probe',
  });
  const signUp = await send(`${edgeUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: json,
    body,
    sourceAddress: client,
  });
  expect(signUp.status).toBe(201);
  signedUp.push({ id: String(signUp.json().id) });
  const again = await send(`${edgeUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: json,
    body,
    sourceAddress: client,
  });
  expect(again.status).toBe(409);

  // An administrator lists users (auth → Keycloak Admin API).
  const admin = { authorization: `Bearer ${await userToken('ada')}` };
  expect((await send(`${edgeUrl}/api/v1/auth/admin/users`, { headers: admin })).status).toBe(200);

  // A person reads and changes their profile (user → Keycloak Admin API) and asks billing (→ user).
  const person = await createTestUser('metrics');
  testUsers.push(person);
  const caller = { authorization: `Bearer ${await person.token()}` };
  expect((await send(`${edgeUrl}/api/v1/users/me`, { headers: caller })).status).toBe(200);
  const patch = await send(`${edgeUrl}/api/v1/users/me`, {
    method: 'PATCH',
    headers: { ...caller, ...json },
    body: JSON.stringify({ displayName: 'Metrics Probe' }),
  });
  expect(patch.status).toBe(200);
  expect((await send(`${edgeUrl}/api/v1/billing/invoices`, { headers: caller })).status).toBe(200);
  await send(`${edgeUrl}/api/v1/billing/accounts/me`, { headers: caller });

  // The edge refuses a missing token (401) and a missing role (403).
  expect((await send(`${edgeUrl}/api/v1/users/me`)).status).toBe(401);
  expect((await send(`${edgeUrl}/api/v1/users`, { headers: caller })).status).toBe(403);
  trafficEndedAt = Date.now();
}

describe('dashboard queries against the real Prometheus', () => {
  let exported = new Set<string>();

  beforeAll(async () => {
    await generateTraffic();
    // Rates need two scrapes (every 5 s locally) after the traffic, recording rules one evaluation more.
    await sleep(Math.max(0, trafficEndedAt + 12_000 - Date.now()));
    exported = await knownMetricNames();
  }, 90_000);

  afterAll(async () => {
    await deleteTestUsers([...testUsers, ...signedUp]);
  });

  it('when the dashboards are read, then they hold panel queries', () => {
    expect(queries.length).toBeGreaterThan(40);
  });

  it('when a query names a metric nobody exports, then the check reports it even behind an or', async () => {
    const problems = await problemsOf('sum(rate(app_no_such_metric_total[1m])) or vector(0)', exported);
    expect(problems).toEqual(['names app_no_such_metric_total, which no target exports']);
  });

  it('when a query does not parse, then the check reports Prometheus refusing it', async () => {
    const problems = await problemsOf('sum by (service (up)', exported);
    expect(problems.some((problem) => problem.startsWith('Prometheus refused it'))).toBe(true);
  });

  it.each(queries.map((query) => [`${query.dashboard} › ${query.panel}`, query] as const))(
    'when "%s" is queried, then it parses, names exported metrics and returns data',
    async (_name, query) => {
      // Series scraped for the first time by the traffic above may need one more scrape.
      const deadline = trafficEndedAt + 45_000;
      let problems = await problemsOf(query.expr, exported);
      while (problems.length > 0 && Date.now() < deadline) {
        await sleep(1000);
        exported = await knownMetricNames();
        problems = await problemsOf(query.expr, exported);
      }
      expect(problems, query.expr).toEqual([]);
    },
    60_000,
  );
});
