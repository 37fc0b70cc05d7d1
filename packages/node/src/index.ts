export type {
  BudgetStoreSetting,
  ConfigProblem,
  ExporterName,
  LlmClientName,
  OtlpProtocol,
  ResolvedConfig,
  StartOptions,
} from './config/types.js';
export type { MltelSdk } from './sdk.js';
export { current, shutdown, start } from './sdk.js';
export { resolveConfig } from './config/env.js';
export { CompatPrometheusSerializer } from './prometheus/serializer.js';
