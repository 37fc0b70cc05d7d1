import { COST_METRICS } from './metrics/cost.js';
import { GEN_AI_METRICS } from './metrics/gen-ai.js';
import { GPU_METRICS } from './metrics/gpu.js';
import { HOST_METRICS } from './metrics/host.js';
import { HTTP_METRICS } from './metrics/http.js';
import { RUNTIME_METRICS } from './metrics/runtime.js';
import { DB_METRICS } from './metrics/db.js';
import { DEPENDENCY_METRICS, MESSAGING_METRICS } from './metrics/messaging.js';
import { PIPELINE_METRICS } from './metrics/pipeline.js';
import { QUALITY_METRICS } from './metrics/quality.js';
import { TASK_METRICS } from './metrics/tasks.js';
import type { MetricDefinition } from './types.js';

/** Every instrument of the catalog, in the order of `spec/METRICS.md`. */
export const METRICS: readonly MetricDefinition[] = [
  ...GEN_AI_METRICS,
  ...TASK_METRICS,
  ...PIPELINE_METRICS,
  ...COST_METRICS,
  ...QUALITY_METRICS,
  ...GPU_METRICS,
  ...HOST_METRICS,
  ...MESSAGING_METRICS,
  ...DEPENDENCY_METRICS,
  ...HTTP_METRICS,
  ...RUNTIME_METRICS,
  ...DB_METRICS,
];

const BY_NAME: ReadonlyMap<string, MetricDefinition> = new Map(METRICS.map((m) => [m.name, m]));

/** The catalog entry of an OTel instrument name, or undefined. */
export function metricDefinition(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}
