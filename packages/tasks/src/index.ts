export type { TaskHandle, TaskMeterOptions, TaskOptions, TaskRecord } from './types.js';
export type { TaskDecoratorOptions } from './decorator.js';
export { TaskMeter } from './task-meter.js';
export { createTaskMeter, defaultTaskMeter } from './default-meter.js';
export { task } from './decorator.js';
export { classifyError, errorTypeOf, TaskTimeoutError } from './errors.js';
export { SCOPE_NAME } from './instruments.js';
export {
  observeQueueSize,
  recordQueueWait,
  recordTask,
  runTask,
  setQueueSize,
  startTask,
  wrapTask,
} from './shortcuts.js';
