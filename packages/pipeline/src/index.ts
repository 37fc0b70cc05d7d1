export type { TimelineJSON } from './timeline.js';
export type { BatchRecord, EndOptions, InferenceRecord, PipelineMeterOptions, WorkerPool } from './types.js';
export { now, Timeline } from './timeline.js';
export { createPipelineMeter, PipelineMeter } from './pipeline-meter.js';
export { SCOPE_NAME } from './instruments.js';
