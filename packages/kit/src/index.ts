export { CallbackList } from './callback-list.js';
export { CellCounter, MAX_CELLS } from './counter-cells.js';
export type { BatchRecord } from './histogram-handover.js';
export { batchRecorder } from './histogram-handover.js';
export type { ExemplarOffer } from './histogram-cells.js';
export { CELL_VALUES, CellHistogram, MAX_HISTOGRAM_CELLS, OFFER_EXEMPLAR } from './histogram-cells.js';
export { CELLS_CARRIER, MeterCells } from './meter-cells.js';
export { errorNameOf, errorTypeOf } from './error-type.js';
export { BoundedValues, describeValue, isNonNegativeFinite, WarnOnce } from './guard.js';
export { arrayCopy, field, inRange } from './input.js';
export { nodeHttp, nodeHttps } from './node-builtins.js';
export { cachePackageVersions, MAX_PACKAGE_VERSIONS } from './package-versions.js';
export { isThenable } from './is-thenable.js';
export type {
  IterationObserver,
  IterationOptions,
  ObservedAsyncIterator,
  ObservedIterator,
} from './iterator-lifecycle.js';
export { observeAsyncIterator, observeIterator } from './iterator-lifecycle.js';
export type { InstrumentOptions } from './instrument-options.js';
export { instrumentOptions } from './instrument-options.js';
export {
  announceProviderChange,
  followGlobalProvider,
  PROVIDER_CHANGED,
  PROVIDER_RECHECK_MS,
  providerChangeListeners,
} from './provider-change.js';
export type { CallbackRegistry } from './callback-list.js';
export type { InstrumentBuilder, ProviderBindingOptions } from './provider-binding.js';
export { ProviderBinding } from './provider-binding.js';
export { MAX_QUEUES, QueueDepths, queueDepths } from './queue-depths.js';
export { MLTEL_VERSION } from './version.js';
export { MAX_WARN_KINDS, reportSuppressedWarnings, WARN_INTERVAL_MS } from './guard.js';
export type { WarnOnceOptions } from './guard.js';
export { describeText, MAX_DESCRIBED_CHARS, redactUrl } from './redact.js';
export type { BreakerState, DependencyHealth, DependencyHealthOptions } from './dependency-health.js';
export {
  CircuitOpenError,
  createDependencyHealth,
  MAX_DEPENDENCIES,
  MAX_DEPENDENCY_NAME_LENGTH,
} from './dependency-health.js';
