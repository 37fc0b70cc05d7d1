export type { HistogramPoint, SumPoint } from './sdk-harness.js';
export { sdkHarness } from './sdk-harness.js';
