import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from './params.js';
import { renderRulesFile, renderRuleTests, rulesFileName } from './rules-file.js';

const COLLECTOR = new URL('../../../../collector/prometheus/', import.meta.url);
const regenerate = 'run `pnpm run --silent build && node collector/prometheus/generate.mjs`';

describe('the generated rules files', () => {
  it('the checked-in default rules are current', () => {
    const file = readFileSync(new URL(`rules/${rulesFileName({ ...DEFAULT_PARAMS })}`, COLLECTOR), 'utf8');
    expect(file === renderRulesFile({ ...DEFAULT_PARAMS }), `collector/prometheus/rules is stale: ${regenerate}`).toBe(
      true,
    );
  });

  it('the checked-in promtool tests are current', () => {
    const file = readFileSync(new URL(`tests/${DEFAULT_PARAMS.name}.test.yml`, COLLECTOR), 'utf8');
    expect(file === renderRuleTests({ ...DEFAULT_PARAMS }), `collector/prometheus/tests is stale: ${regenerate}`).toBe(
      true,
    );
  });

  it('links every alert to its runbook anchor and labels its severity', () => {
    const text = renderRulesFile({ ...DEFAULT_PARAMS, runbookBase: 'https://example.test/runbooks' });
    expect(text).toContain('runbook_url: "https://example.test/runbooks#mltelbudgetexhausted"');
    expect(text).toContain(
      '      - alert: MltelBudgetExhausted\n        expr: "job_ml_budget_name_ml_budget_window:ml_budget:used_ratio >= 1"\n        for: "1m"\n        labels:\n          severity: critical',
    );
  });

  it('writes no promtool tests for a selector it cannot turn into series labels', () => {
    expect(renderRuleTests({ ...DEFAULT_PARAMS, selector: 'job=~"ml-.*"' })).toBeUndefined();
    expect(renderRuleTests({ ...DEFAULT_PARAMS, selector: 'job="api",env="prod"' })).toContain(
      `ml_tasks_total{job="api",env="prod",instance="svc:9464"`,
    );
  });
});
