import { defaultTaskMeter } from './default-meter.js';
import type { TaskMeter } from './task-meter.js';
import type { TaskOptions } from './types.js';

/** Options of the {@link task} decorator. */
export interface TaskDecoratorOptions extends TaskOptions {
  /** The meter to record with; default the shared global-provider meter. */
  meter?: TaskMeter;
}

type Method = (this: unknown, ...args: never[]) => unknown;

/** A method's name as a task name (a symbol's description); never throws. */
function methodName(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'symbol') return String(key);
  return 'method';
}

/**
 * Method decorator that records every call as one task (sync, async or generator methods).
 * Works with standard (TC39) decorators and with TypeScript's `experimentalDecorators`.
 * The task name defaults to the method name; pass a stable name when methods are minified.
 */
export function task(name?: string, options: TaskDecoratorOptions = {}) {
  const meter = (): TaskMeter => options.meter ?? defaultTaskMeter();
  function decorate<F extends Method>(value: F, context: ClassMethodDecoratorContext): F;
  function decorate(target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  function decorate(
    value: unknown,
    contextOrKey: ClassMethodDecoratorContext | string | symbol,
    descriptor?: PropertyDescriptor,
  ): unknown {
    // A decorator runs when the class is defined: failing there would stop the module loading,
    // so anything unexpected leaves the method as it is.
    let standard = false;
    try {
      standard = typeof contextOrKey === 'object' && contextOrKey !== null && 'kind' in contextOrKey;
      if (standard) {
        return meter().wrap(
          name ?? methodName((contextOrKey as ClassMethodDecoratorContext).name),
          value as Method,
          options,
        );
      }
      if (descriptor && typeof descriptor.value === 'function') {
        descriptor.value = meter().wrap(name ?? methodName(contextOrKey), descriptor.value as Method, options);
      }
    } catch {
      // The method stays unwrapped.
    }
    return standard ? value : descriptor;
  }
  return decorate;
}
