export type {
  CollectionFailure,
  CollectionFailureReason,
  CollectionResult,
  CollectionSuccess,
  GpuDevice,
  GpuExtras,
  GpuHostMetricsConfig,
  GpuQuerySource,
} from './types.js';
export { GpuHostMetrics } from './gpu-host-metrics.js';
export { findExecutable, GPU_DEFAULTS } from './find.js';
export { executableName, SCOPE_NAME, SCOPE_VERSION } from './metrics.js';
export { devicesOf, migNamesOf } from './devices.js';
export type { MigNames } from './devices.js';
