export { errorTypeOf } from './error-type.js';
export { BoundedValues, describeValue, isNonNegativeFinite, WarnOnce } from './guard.js';
export type { InstrumentOptions } from './instrument-options.js';
export { instrumentOptions } from './instrument-options.js';
export {
  announceProviderChange,
  followGlobalProvider,
  PROVIDER_CHANGED,
  PROVIDER_RECHECK_MS,
  providerChangeListeners,
} from './provider-change.js';
