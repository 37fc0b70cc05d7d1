import { defaultTaskMeter } from './default-meter.js';
import type { TaskHandle, TaskOptions, TaskRecord } from './types.js';

/** {@link TaskMeter.wrap} on the shared global-provider meter. */
export function wrapTask<F extends (...args: never[]) => unknown>(name: string, fn: F, options?: TaskOptions): F {
  return defaultTaskMeter().wrap(name, fn, options);
}

/** {@link TaskMeter.run} on the shared global-provider meter. */
export function runTask<R>(name: string, fn: () => R, options?: TaskOptions): R {
  return defaultTaskMeter().run(name, fn, options);
}

/** {@link TaskMeter.start} on the shared global-provider meter. */
export function startTask(name: string, options?: Pick<TaskOptions, 'workerType' | 'classify'>): TaskHandle {
  return defaultTaskMeter().start(name, options);
}

/** {@link TaskMeter.record} on the shared global-provider meter. */
export function recordTask(task: TaskRecord): void {
  defaultTaskMeter().record(task);
}

/** {@link TaskMeter.recordQueueWait} on the shared global-provider meter. */
export function recordQueueWait(name: string, queue: string, seconds: number): void {
  defaultTaskMeter().recordQueueWait(name, queue, seconds);
}

/** {@link TaskMeter.observeQueueSize} on the shared global-provider meter. */
export function observeQueueSize(queue: string, read: () => number): () => void {
  return defaultTaskMeter().observeQueueSize(queue, read);
}

/** {@link TaskMeter.setQueueSize} on the shared global-provider meter. */
export function setQueueSize(queue: string, size: number): void {
  defaultTaskMeter().setQueueSize(queue, size);
}
