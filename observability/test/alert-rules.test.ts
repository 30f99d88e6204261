/**
 * The alerting and recording rules (prometheus/rules) pass `promtool check rules`, their unit tests
 * (prometheus/tests, `promtool test rules`) pass, and every alert has a test case in which it fires.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '@platform/platform/environment';

const rulesDir = join(repoRoot, 'prometheus', 'rules');
const testsDir = join(repoRoot, 'prometheus', 'tests');
const ruleFiles = readdirSync(rulesDir)
  .filter((name) => name.endsWith('.yml'))
  .map((name) => join(rulesDir, name));
const testFiles = readdirSync(testsDir)
  .filter((name) => name.endsWith('.test.yml'))
  .map((name) => join(testsDir, name));

function promtool(args: string[]) {
  const result = spawnSync('promtool', args, { cwd: repoRoot, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

interface RuleGroups {
  groups: { rules: { alert?: string; record?: string }[] }[];
}

interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('Prometheus rules', () => {
  it('when promtool checks the rule files, then every rule is valid', () => {
    const { code, output } = promtool(['check', 'rules', ...ruleFiles]);
    expect(output).not.toMatch(/FAILED/);
    expect(code).toBe(0);
  });

  // The SLO cases evaluate every rule each simulated minute over a day (slo.test.yml): about 20 s
  // of CPU on two cores, more on a busy machine, so this case gets its own, longer limit.
  it('when promtool runs the rule unit tests, then they all pass', () => {
    const { code, output } = promtool(['test', 'rules', ...testFiles]);
    expect(output).not.toMatch(/FAILED/);
    expect(code).toBe(0);
  }, 120_000);

  it('when the alerts are listed, then each one fires in at least one unit test', () => {
    const alerts = ruleFiles.flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as RuleGroups).groups.flatMap((group) =>
        group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
      ),
    );
    const firing = new Set(
      testFiles.flatMap((file) =>
        (parse(readFileSync(file, 'utf8')) as RuleTests).tests.flatMap((test) =>
          (test.alert_rule_test ?? [])
            .filter((check) => check.exp_alerts.length > 0)
            .map((check) => check.alertname),
        ),
      ),
    );
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.filter((alert) => !firing.has(alert))).toEqual([]);
  });
});
