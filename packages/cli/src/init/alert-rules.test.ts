import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertExpr, alertRules, selectorLabels } from './alert-rules.js';
import { CATALOG_SERIES } from './catalog-names.js';
import { DEFAULT_PARAMS } from './params.js';
import { metricNamesIn } from './promql-names.js';
import { recordingRules } from './recording-rules.js';

const alerts = alertRules({ ...DEFAULT_PARAMS });
const recorded = new Set(recordingRules({ ...DEFAULT_PARAMS }).flatMap((g) => g.rules.map((r) => r.record)));

describe('alert rules', () => {
  it('has every alert the deployment promises', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'MltelTaskErrorRatioHigh',
      'MltelProviderErrorRatioHigh',
      'MltelProviderDown',
      'MltelCircuitBreakerOpen',
      'MltelTaskLatencyHigh',
      'MltelProviderLatencyHigh',
      'MltelPipelineLatencyHigh',
      'MltelHourlyCostHigh',
      'MltelBudgetNearlyExhausted',
      'MltelBudgetExhausted',
      'MltelDriftWarning',
      'MltelDriftCritical',
      'MltelAccuracyLow',
      'MltelGpuHot',
      'MltelGpuMemoryNearlyFull',
      'MltelQueueBackingUp',
      'MltelDbPoolNearlyExhausted',
      'MltelWorkersMissing',
      'MltelTargetDown',
      'MltelGpuCollectionFailing',
      'MltelProviderRateLimitHeadroomLow',
      'MltelCostUnpriced',
    ]);
  });

  it('reads only catalog series and recorded series', () => {
    for (const alert of alerts) {
      expect(metricNamesIn(alertExpr(alert)).filter((n) => !CATALOG_SERIES.has(n) && !recorded.has(n))).toEqual([]);
    }
  });

  it('puts the thresholds of the parameters into the conditions and texts', () => {
    const custom = alertRules({ ...DEFAULT_PARAMS, errorRatio: 0.2, hourlyCostUsd: 75, queueSize: 7 });
    const byName = new Map(custom.map((a) => [a.alert, a]));
    expect(alertExpr(byName.get('MltelTaskErrorRatioHigh')!)).toBe(
      'job_ml_task_name:ml_tasks_failed:ratio_rate5m > 0.2',
    );
    expect(byName.get('MltelTaskErrorRatioHigh')!.summary).toBe('More than 20% of ML task runs fail.');
    expect(alertExpr(byName.get('MltelHourlyCostHigh')!)).toBe('job:ml_cost_usd:per_hour > 75');
    expect(byName.get('MltelQueueBackingUp')!.condition).toBe(
      '> 7 and deriv(job_ml_queue_name:ml_queue_size:sum[10m]) > 0',
    );
    expect(byName.get('MltelQueueBackingUp')!.firing.series[0]!.values).toBe('7+10x40');
  });

  it('uses only $labels templates on labels the alert carries', () => {
    for (const alert of alerts) {
      const used = [...`${alert.summary} ${alert.description}`.matchAll(/\{\{ \$labels\.(\w+) \}\}/g)].map((m) => m[1]);
      for (const label of used) expect(Object.keys(alert.firing.labels)).toContain(label);
      expect(`${alert.summary}${alert.description}`.replace(/\{\{ \$labels\.\w+ \}\}/g, '')).not.toContain('{{');
    }
  });

  it('has a runbook section for every alert (docs/deployment/runbooks.md)', () => {
    const runbooks = readFileSync(new URL('../../../../docs/deployment/runbooks.md', import.meta.url), 'utf8');
    const sections = [...runbooks.matchAll(/^## (Mltel\w+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(alerts.map((a) => a.alert));
  });

  it('reads the labels of plain selectors only', () => {
    expect(selectorLabels('job="a", env="p\\"q"')).toEqual({ job: 'a', env: 'p"q' });
    expect(selectorLabels('job=~"a.*"')).toBeUndefined();
  });
});
