import { describe, expect, it } from 'vitest';
import { metricNamesIn } from './promql-names.js';

describe('metricNamesIn', () => {
  it('finds metric names and recorded series, not functions, labels, keywords or numbers', () => {
    expect(
      metricNamesIn(
        'sum by (job, le) (rate(ml_tasks_total{job="mltel",ml_task_status=~"error|x"}[5m])) / ignoring (a) group_left (b) job:ml_cost_usd:per_hour > 0.5 and on (job) up offset 5m',
      ),
    ).toEqual(['job:ml_cost_usd:per_hour', 'ml_tasks_total', 'up']);
  });

  it('ignores Grafana variables and text inside strings', () => {
    expect(
      metricNamesIn(
        `histogram_quantile(0.95, sum by (le) (rate(x_bucket{job=~"$job",instance=~"\${instance}"}[$__rate_interval])))`,
      ),
    ).toEqual(['x_bucket']);
    expect(metricNamesIn('label_replace(up, "dst", "$1", "src", "(not_a_metric)")')).toEqual(['up']);
  });

  it('sees a name that is not in braces and one beside a number', () => {
    expect(metricNamesIn('hw_power_watts * 2 + 1e3')).toEqual(['hw_power_watts']);
  });
});
