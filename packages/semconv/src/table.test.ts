import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROCESS_MEMORY_USAGE } from './metrics/host.js';
import { ML_QUEUE_SIZE, ML_TASK_DURATION } from './metrics/tasks.js';
import { renderMetricsTable } from './table.js';

const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

describe('renderMetricsTable', () => {
  it('renders one section per family with a row per instrument, labels and owner', () => {
    const table = renderMetricsTable([ML_TASK_DURATION, ML_QUEUE_SIZE]);
    expect(table.split('\n')).toEqual([
      '### ML tasks and workers',
      '',
      '| metric | kind | unit | attributes | Prometheus name | Prometheus labels | owner |',
      '|---|---|---|---|---|---|---|',
      '| `ml.task.duration` | Histogram | `s` | `ml.task.name`, `ml.task.status`, `ml.worker.type` | `ml_task_duration_seconds` | ml_task_name, ml_task_status, ml_worker_type | `@mltel/tasks` |',
      '| `ml.queue.size` | ObservableGauge | `{item}` | `ml.queue.name` | `ml_queue_size` | ml_queue_name | `@mltel/kit` |',
      '',
    ]);
  });

  it('writes (none) for an instrument sent without a unit', () => {
    expect(renderMetricsTable([PROCESS_MEMORY_USAGE]).split('\n')[4]).toBe(
      '| `process.memory.usage` | ObservableGauge | (none) |  | `process_memory_usage` |  | `@opentelemetry/instrumentation-host-metrics` |',
    );
  });
});

describe('docs/metrics.md', () => {
  it('holds the current generated table (run `pnpm docs:metrics` when this fails)', () => {
    const doc = readFileSync(repo('docs/metrics.md'), 'utf8');
    const begin = doc.indexOf('<!-- BEGIN GENERATED');
    const end = doc.indexOf('<!-- END GENERATED -->');
    const generated = doc.slice(doc.indexOf('\n', begin) + 1, end).trim();
    expect(generated).toBe(renderMetricsTable().trim());
  });
});
