import { describe, expect, it } from 'vitest';
import { CATALOG_SERIES } from './catalog-names.js';

describe('CATALOG_SERIES', () => {
  it('holds the catalog names with their suffixes, target_info and up', () => {
    for (const name of [
      'ml_tasks_total',
      'ml_task_duration_seconds_bucket',
      'ml_task_duration_seconds_count',
      'gen_ai_client_token_usage_sum',
      'hw_gpu_utilization_ratio',
      'process_cpu_time_seconds_total',
      'target_info',
      'up',
    ]) {
      expect(CATALOG_SERIES.has(name), name).toBe(true);
    }
  });

  it('does not hold names outside the catalog', () => {
    for (const name of ['ml_tasks', 'ml_task_duration', 'nodejs_eventloop_delay_seconds', 'ml_task_total']) {
      expect(CATALOG_SERIES.has(name), name).toBe(false);
    }
  });
});
