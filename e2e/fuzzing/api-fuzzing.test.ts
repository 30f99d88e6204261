/**
 * Every service's API fuzzed by Schemathesis from its own OpenAPI document, with a token for each
 * kind of caller: generated requests (valid and invalid) must never get a 5xx, every answer must
 * have a documented status, content type and body, valid data must be accepted and invalid data
 * refused (so the document is exactly what the service enforces). A fixed seed and a bounded
 * number of cases per operation keep a run reproducible; the three services are fuzzed side by
 * side (each service's callers one after another), which keeps the suite a few minutes long.
 *
 * The fuzzer also takes ids from earlier responses and sends them again, so nothing here may be
 * able to change the dev users (alice, sam, ada, bill) that other tests sign in as: the callers
 * that can change themselves are throwaway accounts, and the routes that change other accounts
 * run against an account that does not exist (see `operationSettings`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@platform/platform/environment';
import { run } from '@platform/dev/stack/processes';
import { ensureSchemathesis } from '@platform/dev/tools/schemathesis';
import { Broker, identityEvent } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceUrl } from '@platform/test-support/stack';
import { serviceToken, userToken } from '@platform/test-support/tokens';

const seed = 20261201;
const casesPerOperation = 15;
const checks = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'positive_data_acceptance',
];

/** Throwaway accounts and the billing data the run needs, made before it and removed after it. */
interface Fixtures {
  readonly user: TestUser;
  readonly support: TestUser;
  readonly admin: TestUser;
  /** Holds a billing account and `payableInvoiceId`, an open invoice. */
  readonly payer: TestUser;
  readonly billingAdmin: TestUser;
  readonly payableInvoiceId: string;
}

let fixtures: Fixtures;

type Caller = { name: string; token: () => Promise<string | undefined> };
const anonymous: Caller = { name: 'anonymous', token: async () => undefined };
const devUser = (name: string): Caller => ({ name, token: () => userToken(name) });
const throwaway = (name: string, user: (made: Fixtures) => TestUser): Caller => ({
  name,
  token: () => user(fixtures).token(),
});

/** Who calls each service: its public routes anonymously, the rest with each role that may. */
const callers: Record<ServiceName, Caller[]> = {
  // The dev users as they are: nothing they may call here changes them (see operationSettings).
  auth: [anonymous, devUser('ada'), devUser('sam')],
  // Every role holder may PATCH /users/me, which changes the caller's e-mail address in Keycloak: a
  // dev user whose address became unverified could no longer sign in (the realm's verifyEmail), so
  // throwaway people with the same roles call instead.
  user: [
    throwaway('a user', (made) => made.user),
    throwaway('support', (made) => made.support),
    throwaway('an admin', (made) => made.admin),
    { name: 'the billing service', token: () => serviceToken('billing') },
  ],
  // alice has no billing account and bill's idempotency keys are used up by earlier runs (every key
  // the fuzzer generates would be a reuse: 422), so neither could ever have a valid request
  // accepted; a payer with an account and an open invoice and a new billing administrator can.
  billing: [
    throwaway('a payer', (made) => made.payer),
    throwaway('a billing admin', (made) => made.billingAdmin),
  ],
};

/** Statuses a valid request may get: Schemathesis's defaults, plus `extra`. */
const acceptedWith = (...extra: number[]) => [
  '2xx',
  '3xx',
  '401',
  '403',
  '404',
  '409',
  '429',
  '5xx',
  ...extra,
];

/** An account id no account has: the routes that change accounts run against it. */
const absentAccountId = '00000000-0000-4000-8000-000000000000';

/** Per operation, what the run fixes or expects, each with its reason. */
function operationSettings(fixtures: Fixtures): Record<ServiceName, Record<string, unknown>[]> {
  return {
    auth: [
      // Generated ids, and ids taken from listed accounts, could name the dev users: the routes that
      // disable, enable, change or delete an account only ever get one that does not exist (404).
      // Their guards are still fuzzed by sam (403) and anonymously (401).
      {
        'include-operation-id': [
          'disableAccount',
          'enableAccount',
          'grantRole',
          'revokeRole',
          'deleteAccount',
        ],
        parameters: { 'path.id': absentAccountId },
      },
      // A cursor holds the offset and the search of the page it came from, and is refused with
      // another search: a rule between two parameters, which no schema can state, so a generated
      // (schema-valid) cursor is refused. Every other check still runs on this operation.
      { 'include-operation-id': 'listAccounts', checks: { positive_data_acceptance: { enabled: false } } },
    ],
    user: [
      // If-Match with a generated version names a version the profile is not at: 412, as documented.
      {
        'include-operation-id': 'updateMyProfile',
        checks: { positive_data_acceptance: { 'expected-statuses': acceptedWith(412) } },
      },
    ],
    billing: [
      // A valid body for a user without a billing account is refused with 422, as documented; the
      // fuzzing phase bills the payer, so valid bodies are also accepted.
      {
        'include-operation-id': 'createInvoice',
        parameters: { 'body.userId': fixtures.payer.id },
        checks: { positive_data_acceptance: { 'expected-statuses': acceptedWith(422) } },
      },
      // Generated Idempotency-Keys repeat with other bodies: 422, as documented. Payments go to the
      // payer's open invoice, so valid payments are also accepted.
      {
        'include-operation-id': 'payInvoice',
        parameters: { 'path.id': fixtures.payableInvoiceId },
        checks: { positive_data_acceptance: { 'expected-statuses': acceptedWith(422) } },
      },
    ],
  };
}

/**
 * Operations allowed a validation_mismatch warning (every valid request refused, most not with 404),
 * with the reason. Schemathesis applies fixed parameter values in the fuzzing phase only, so in the
 * coverage phase every valid invoice bills a random user without an account (422). A caller whose
 * roles do not include `user` (the support and admin accounts) is refused PATCH /users/me (403) on
 * every request, which Schemathesis reports as a mismatch in some runs.
 */
const expectedMismatches: Partial<Record<ServiceName, string[]>> = {
  billing: ['POST /billing/invoices'],
  user: ['PATCH /users/me'],
};

/** The run's schemathesis.toml: the checks, and operationSettings. */
function configFile(settings: Record<string, unknown>[]): string {
  const value = (item: unknown): string =>
    Array.isArray(item)
      ? `[${item.map(value).join(', ')}]`
      : typeof item === 'object' && item !== null
        ? `{ ${Object.entries(item)
            .map(([key, entry]) => `${JSON.stringify(key)} = ${value(entry)}`)
            .join(', ')} }`
        : JSON.stringify(item);
  return [
    '[checks]',
    'enabled = false',
    ...checks.map((check) => `${check}.enabled = true`),
    ...settings.flatMap((operation) => [
      '',
      '[[operations]]',
      ...Object.entries(operation).map(([key, entry]) => `${JSON.stringify(key)} = ${value(entry)}`),
    ]),
    '',
  ].join('\n');
}

async function prepare(): Promise<Fixtures> {
  const [user, support, admin, payer, billingAdmin] = [
    await createTestUser('fuzz-user'),
    await createTestUser('fuzz-support', { realmRoles: ['support'] }),
    await createTestUser('fuzz-admin', { realmRoles: ['admin'] }),
    await createTestUser('fuzz-payer'),
    await createTestUser('fuzz-billing-admin', { realmRoles: ['billing-admin'] }),
  ] as const;
  // The billing account opens the way production opens it: on the user.registered event.
  const broker = await Broker.connect();
  try {
    await broker.publish(
      identityEvent('user.registered', { userId: payer.id, username: payer.username, email: payer.email }),
    );
  } finally {
    await broker.close();
  }
  const billing = serviceUrl('billing');
  const payerToken = await payer.token();
  await eventually(
    async () =>
      (await fetch(`${billing}/billing/accounts/me`, { headers: { authorization: `Bearer ${payerToken}` } }))
        .ok || undefined,
    { timeoutMs: 15_000, what: 'the payer’s billing account' },
  );
  const adminToken = await billingAdmin.token();
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${billing}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok, `POST ${path}`).toBe(true);
    return (await response.json()) as { id: string };
  };
  const draft = await post('/billing/invoices', {
    userId: payer.id,
    currency: 'EUR',
    lines: [{ description: 'Fuzzing', quantity: 10_000, unitAmountMinor: 1_000_000_000 }],
  });
  await post(`/billing/invoices/${draft.id}/finalize`);
  return { user, support, admin, payer, billingAdmin, payableInvoiceId: draft.id };
}

interface RunReport {
  exit_code: number;
  operations: { total: number; tested: number; errored: number };
  test_cases: { generated: number; with_failures: number; errored: number };
  failures: unknown[];
  errors: unknown[];
  warnings: { validation_mismatch: string[] };
}

interface Outcome {
  readonly report: RunReport;
  readonly stdout: string;
}

async function fuzz(st: string, service: ServiceName, caller: Caller, fixtures: Fixtures): Promise<Outcome> {
  const base = serviceUrl(service);
  // Schemathesis keeps a cache in its working directory: a directory of the run's own.
  const directory = mkdtempSync(join(tmpdir(), 'fuzzing-'));
  const config = join(directory, 'schemathesis.toml');
  const report = join(directory, 'report.json');
  writeFileSync(config, configFile(operationSettings(fixtures)[service]));
  const token = await caller.token();
  const result = await run(
    st,
    [
      '--config-file',
      config,
      'run',
      `${base}/docs/openapi.json`,
      '--url',
      base,
      ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
      '--seed',
      String(seed),
      '--max-examples',
      String(casesPerOperation),
      '--generation-deterministic',
      // One worker: Schemathesis's generation is bound by Python's GIL, so a second one saves no
      // time, and concurrent workers can race in CPython 3.11's AST module (a spurious SystemError).
      '--workers',
      '1',
      '--no-color',
      '--report',
      'json',
      '--report-json-path',
      report,
    ],
    { cwd: directory },
  );
  return { report: JSON.parse(readFileSync(report, 'utf8')) as RunReport, stdout: result.stdout };
}

const outcomes = new Map<string, Promise<Outcome>>();
const services = ['auth', 'user', 'billing'] as const satisfies readonly ServiceName[];

beforeAll(async () => {
  const st = await ensureSchemathesis();
  fixtures = await prepare();
  for (const service of services) {
    let previous: Promise<unknown> = Promise.resolve();
    for (const caller of callers[service]) {
      const outcome = previous.then(() => fuzz(st, service, caller, fixtures));
      // Awaited by the caller's test; handled here too, so a failing run is never an unhandled rejection.
      outcome.catch(() => undefined);
      outcomes.set(`${service} ${caller.name}`, outcome);
      previous = outcome.catch(() => undefined);
    }
  }
}, 10 * 60_000);

afterAll(async () => {
  await Promise.allSettled(outcomes.values());
  if (fixtures) {
    const { user, support, admin, payer, billingAdmin } = fixtures;
    await deleteTestUsers([user, support, admin, payer, billingAdmin]);
  }
}, 10 * 60_000);

const totals = { runs: 0, operations: 0, cases: 0, failures: 0 };

describe.each(services)('the %s service under fuzzing', (service) => {
  it.each(callers[service].map((caller) => caller.name))(
    'when %s sends generated requests, then no 5xx, nothing undocumented, and the document is exact',
    async (callerName) => {
      const outcome = outcomes.get(`${service} ${callerName}`);
      expect(outcome, `no run for ${callerName}`).toBeDefined();
      const { report, stdout } = await (outcome as Promise<Outcome>);
      totals.runs += 1;
      totals.operations += report.operations.tested;
      totals.cases += report.test_cases.generated;
      totals.failures += report.test_cases.with_failures;
      console.log(
        `[fuzzing] ${service} as ${callerName}: ${report.operations.tested} operations, ` +
          `${report.test_cases.generated} cases, ${report.test_cases.with_failures} failing ` +
          `(running total: ${totals.runs} runs, ${totals.operations} operations, ${totals.cases} cases, ${totals.failures} failing)`,
      );
      expect(report.operations.tested, stdout.slice(-3000)).toBe(report.operations.total);
      expect(report.failures, stdout.slice(-6000)).toEqual([]);
      expect(report.errors, stdout.slice(-3000)).toEqual([]);
      const allowed = new Set(expectedMismatches[service] ?? []);
      expect(report.warnings.validation_mismatch.filter((operation) => !allowed.has(operation))).toEqual([]);
      expect(report.exit_code, stdout.slice(-3000)).toBe(0);
    },
    10 * 60_000,
  );
});
