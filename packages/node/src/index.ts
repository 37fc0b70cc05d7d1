export type {
  BudgetStoreSetting,
  ConfigProblem,
  ExporterName,
  GpuSettings,
  LlmClientName,
  OtlpProtocol,
  ResolvedConfig,
  StartOptions,
} from './config/types.js';
export type { MltelSdk } from './sdk.js';
export { current, shutdown, start } from './sdk.js';
export { resolveConfig } from './config/env.js';
export { mltelParts, mltelPrometheusReader, PartInstrumentation } from './parts.js';
export type { MltelParts, RunningPart } from './parts.js';
export { CompatPrometheusSerializer } from './prometheus/serializer.js';
export type { MultiprocessRole } from './multiprocess/start.js';
export { CLUSTER_WORKER_ATTRIBUTE } from './multiprocess/cluster.js';
export { THREAD_WORKER_ATTRIBUTE } from './multiprocess/threads.js';
