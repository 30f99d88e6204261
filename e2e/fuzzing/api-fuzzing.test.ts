/**
 * Every service's API fuzzed by Schemathesis from its own OpenAPI document, with a token for each
 * kind of caller: generated requests (valid and invalid) must never get a 5xx, every answer must
 * have a documented status, content type and body, valid data must be accepted and invalid data
 * refused (so the document is exactly what the service enforces). A fixed seed and a bounded
 * number of cases per operation keep a run reproducible and a few minutes long.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@platform/platform/environment';
import { run } from '@platform/dev/stack/processes';
import { ensureSchemathesis } from '@platform/dev/tools/schemathesis';
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

type Caller = { name: string; token: () => Promise<string | undefined> };
const person = (name: string): Caller => ({ name, token: () => userToken(name) });
const anonymous: Caller = { name: 'anonymous', token: async () => undefined };

/** Who calls each service: its public routes anonymously, the rest with each role that may. */
const callers: Record<ServiceName, Caller[]> = {
  auth: [anonymous, person('ada'), person('sam')],
  user: [
    person('alice'),
    person('ada'),
    person('sam'),
    { name: 'billing-service', token: () => serviceToken('billing') },
  ],
  billing: [person('alice'), person('bill')],
};

interface RunReport {
  exit_code: number;
  operations: { total: number; tested: number; errored: number };
  test_cases: { generated: number; with_failures: number; errored: number };
  failures: unknown[];
  errors: unknown[];
  warnings: { validation_mismatch: string[] };
}

let st: string;
beforeAll(async () => {
  st = await ensureSchemathesis();
}, 10 * 60_000);

const totals = { runs: 0, operations: 0, cases: 0, failures: 0 };

describe.each(Object.keys(callers) as ServiceName[])('the %s service under fuzzing', (service) => {
  it.each(callers[service].map((caller) => [caller.name, caller] as const))(
    'when %s sends generated requests, then no 5xx, nothing undocumented, and the document is exact',
    async (_name, caller) => {
      const base = serviceUrl(service);
      const report = join(mkdtempSync(join(tmpdir(), 'fuzzing-')), 'report.json');
      const token = await caller.token();
      const result = await run(st, [
        'run',
        `${base}/docs/openapi.json`,
        '--url',
        base,
        ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
        '--checks',
        checks.join(','),
        '--seed',
        String(seed),
        '--max-examples',
        String(casesPerOperation),
        '--generation-deterministic',
        '--workers',
        '2',
        '--no-color',
        '--report',
        'json',
        '--report-json-path',
        report,
      ]);
      const outcome = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
      totals.runs += 1;
      totals.operations += outcome.operations.tested;
      totals.cases += outcome.test_cases.generated;
      totals.failures += outcome.test_cases.with_failures;
      console.log(
        `[fuzzing] ${service} as ${caller.name}: ${outcome.operations.tested} operations, ` +
          `${outcome.test_cases.generated} cases, ${outcome.test_cases.with_failures} failing ` +
          `(running total: ${totals.runs} runs, ${totals.operations} operations, ${totals.cases} cases, ${totals.failures} failing)`,
      );
      expect(outcome.operations.tested, result.stdout.slice(-3000)).toBe(outcome.operations.total);
      expect(outcome.failures, result.stdout.slice(-6000)).toEqual([]);
      expect(outcome.errors, result.stdout.slice(-3000)).toEqual([]);
      expect(outcome.warnings.validation_mismatch).toEqual([]);
      expect(outcome.exit_code, result.stdout.slice(-3000)).toBe(0);
    },
    10 * 60_000,
  );
});
