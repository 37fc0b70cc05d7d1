import { TaskMeter } from './task-meter.js';
import type { TaskMeterOptions } from './types.js';

let defaultMeter: TaskMeter | undefined;

/** Creates a task meter with its own options (provider, worker type, allow-list, caps). */
export function createTaskMeter(options?: TaskMeterOptions): TaskMeter {
  return new TaskMeter(options);
}

/** The shared task meter on the global provider, used by the top-level functions. */
export function defaultTaskMeter(): TaskMeter {
  defaultMeter ??= new TaskMeter();
  return defaultMeter;
}
