export type { SdkCalls } from './counting-provider.js';
export { countingProvider } from './counting-provider.js';
export type { HistogramPoint, SumPoint } from './sdk-harness.js';
export { sdkHarness } from './sdk-harness.js';
