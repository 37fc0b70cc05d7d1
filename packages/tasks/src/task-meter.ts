import { metrics } from '@opentelemetry/api';
import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_QUEUE_NAME,
  ATTR_ML_TASK_NAME,
  ATTR_ML_TASK_STATUS,
  ATTR_ML_WORKER_TYPE,
  ML_TASK_STATUS_VALUES,
} from '@mltel/semconv';
import { BoundedValues, describeValue, isNonNegativeFinite, WarnOnce, followGlobalProvider } from '@mltel/kit';
import type { MlTaskStatus } from '@mltel/semconv';
import { classifyError, errorTypeOf, isFailure, TaskTimeoutError } from './errors.js';
import { createTaskInstruments } from './instruments.js';
import type { TaskInstruments } from './instruments.js';
import type { TaskHandle, TaskMeterOptions, TaskOptions, TaskRecord } from './types.js';

const STATUSES: ReadonlySet<string> = new Set(ML_TASK_STATUS_VALUES);
const NOOP_HANDLE: TaskHandle = { success() {}, fail() {}, end() {} };
const MAX_QUEUES = 50;
const MAX_WORKER_TYPES = 20;

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A name for warnings that cannot throw (no String() on user objects). */
function label(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : describeValue(value);
}

function functionKind(fn: (...args: never[]) => unknown): 'generator' | 'asyncGenerator' | 'plain' {
  const ctor = fn.constructor?.name;
  if (ctor === 'GeneratorFunction') return 'generator';
  if (ctor === 'AsyncGeneratorFunction') return 'asyncGenerator';
  return 'plain';
}

/**
 * Records the ML task family (`ml.tasks`, `ml.task.duration`, `ml.task.errors`,
 * `ml.tasks.active`, `ml.task.queue.duration`, `ml.queue.size`). Every method is safe to call
 * from the hot path: it never throws, and bad input is dropped with one `diag` warning.
 */
export class TaskMeter {
  private instruments: TaskInstruments | undefined;
  private readonly provider: MeterProvider | undefined;
  private readonly warnings = new WarnOnce();
  private readonly names: BoundedValues;
  private readonly errorTypes: BoundedValues;
  private readonly workerTypes: BoundedValues;
  private readonly queueNames: BoundedValues;
  private readonly defaultWorkerType: string | undefined;
  private readonly queues = new Map<string, () => number>();
  private unfollow: (() => void) | undefined;
  private readonly onProviderChanged = (): void => {
    this.current();
  };
  // Attribute objects of the collection-time paths (queues), built once; bounded like the queues.
  private readonly attributeCache = new Map<string, Attributes>();

  constructor(options: TaskMeterOptions = {}) {
    const maxLength = options.maxAttributeLength ?? 128;
    this.provider = options.meterProvider;
    this.names = new BoundedValues(
      ATTR_ML_TASK_NAME,
      options.maxTaskNames ?? 100,
      maxLength,
      this.warnings,
      options.taskNames,
    );
    this.errorTypes = new BoundedValues(ATTR_ERROR_TYPE, options.maxErrorTypes ?? 50, 64, this.warnings);
    this.workerTypes = new BoundedValues(ATTR_ML_WORKER_TYPE, MAX_WORKER_TYPES, maxLength, this.warnings);
    this.queueNames = new BoundedValues(ATTR_ML_QUEUE_NAME, MAX_QUEUES, maxLength, this.warnings);
    this.defaultWorkerType = options.workerType === undefined ? undefined : this.workerTypes.admit(options.workerType);
  }

  /**
   * Wraps a function so every call is recorded as one task: sync, async (promise-returning) and
   * generator functions alike. The wrapper returns what the function returns and rethrows what
   * it throws. A generator's task starts at its first `next()` and ends when it finishes, throws,
   * or is stopped early by the consumer (`break`: status `cancelled`).
   */
  wrap<F extends (...args: never[]) => unknown>(name: string, fn: F, options?: TaskOptions): F {
    if (typeof fn !== 'function') {
      this.warnings.warn('wrap:not-function', `wrap(${label(name)}) needs a function, got ${describeValue(fn)}`);
      return fn;
    }
    const meter = this;
    const kind = functionKind(fn);
    const wrapped = function (this: unknown, ...args: never[]): unknown {
      return meter.invoke(name, options, fn as unknown as AnyFunction, this, args, kind);
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
    Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
    return wrapped as unknown as F;
  }

  /** Runs `fn` now as one task; same rules as {@link TaskMeter.wrap}. */
  run<R>(name: string, fn: () => R, options?: TaskOptions): R {
    if (typeof fn !== 'function') {
      this.warnings.warn('run:not-function', `run(${label(name)}) needs a function, got ${describeValue(fn)}`);
      return undefined as R;
    }
    return this.invoke(name, options, fn as AnyFunction, undefined, [], functionKind(fn)) as R;
  }

  /** Starts a task by hand: `ml.tasks.active` goes up now and down when the handle ends. */
  start(name: string, options?: Pick<TaskOptions, 'workerType' | 'classify'>): TaskHandle {
    return this.begin(name, options, true);
  }

  /** Records a finished task by hand (a task whose timing you measured yourself). */
  record(task: TaskRecord): void {
    if (typeof task !== 'object' || task === null) {
      this.warnings.warn('record:not-object', `record() needs a task object, got ${describeValue(task)}`);
      return;
    }
    const status = this.status(task.status === undefined ? 'success' : task.status);
    if (status === undefined) return;
    const name = this.names.admit(task.name);
    if (name === undefined) return;
    const worker = this.worker(task.workerType);
    this.finish(this.current(), name, worker, status, task.durationSeconds, task.errorType);
  }

  /** Records the time a task waited in `queue` before it started, in seconds. */
  recordQueueWait(name: string, queue: string, seconds: number): void {
    if (!isNonNegativeFinite(seconds)) {
      this.warnings.warn(
        'queue-wait:invalid',
        `ml.task.queue.duration needs a finite, non-negative number of seconds, got ${describeValue(seconds)}; the value is dropped`,
      );
      return;
    }
    const taskName = this.names.admit(name);
    const queueName = this.queueNames.admit(queue);
    if (taskName === undefined || queueName === undefined) return;
    this.current().queueDuration.record(
      seconds,
      this.cached(`q\0${taskName}\0${queueName}`, () => ({
        [ATTR_ML_TASK_NAME]: taskName,
        [ATTR_ML_QUEUE_NAME]: queueName,
      })),
    );
  }

  /**
   * Reports the depth of `queue` at every collection by calling `read`. Returns a function that
   * stops it. A `read` that throws or returns a bad number is skipped with one warning.
   */
  observeQueueSize(queue: string, read: () => number): () => void {
    const queueName = this.queueNames.admit(queue);
    if (queueName === undefined || typeof read !== 'function') {
      if (typeof read !== 'function') {
        this.warnings.warn('queue-size:not-function', `observeQueueSize(${label(queue)}) needs a function`);
      }
      return () => {};
    }
    this.queues.set(queueName, read);
    this.current();
    this.followGlobalProvider();
    return () => {
      if (this.queues.get(queueName) === read) this.queues.delete(queueName);
      if (this.queues.size === 0) this.unfollowGlobalProvider();
    };
  }

  /** Sets the last known depth of `queue`, reported at every collection (push style). */
  setQueueSize(queue: string, size: number): void {
    if (!isNonNegativeFinite(size)) {
      this.warnings.warn(
        'queue-size:invalid',
        `ml.queue.size needs a finite, non-negative number, got ${describeValue(size)}; the value is dropped`,
      );
      return;
    }
    this.observeQueueSize(queue, () => size);
  }

  private readonly observeQueues = (result: ObservableResult): void => {
    for (const [queue, read] of this.queues) {
      let size: unknown;
      try {
        size = read();
      } catch {
        this.warnings.warn(`queue-size:throw:${queue}`, `the ml.queue.size reader of "${queue}" threw; skipped`);
        continue;
      }
      if (!isNonNegativeFinite(size)) {
        this.warnings.warn(
          `queue-size:bad:${queue}`,
          `the ml.queue.size reader of "${queue}" returned ${describeValue(size)}; skipped`,
        );
        continue;
      }
      result.observe(
        size,
        this.cached(`s\0${queue}`, () => ({ [ATTR_ML_QUEUE_NAME]: queue })),
      );
    }
  };

  // Observed queues must reach a global provider set later, even by an SDK that does not announce
  // itself: announced changes are followed at once, others by a cheap unref'd re-check.
  private followGlobalProvider(): void {
    if (this.provider !== undefined || this.unfollow !== undefined) return;
    this.unfollow = followGlobalProvider(this.onProviderChanged);
  }

  private unfollowGlobalProvider(): void {
    this.unfollow?.();
    this.unfollow = undefined;
  }

  private current(): TaskInstruments {
    const provider = this.provider ?? metrics.getMeterProvider();
    if (this.instruments?.provider !== provider) {
      this.instruments = createTaskInstruments(provider, this.observeQueues);
    }
    return this.instruments;
  }

  private worker(workerType: unknown): string | undefined {
    return workerType === undefined ? this.defaultWorkerType : this.workerTypes.admit(workerType);
  }

  private status(status: unknown): MlTaskStatus | undefined {
    if (typeof status === 'string' && STATUSES.has(status)) return status as MlTaskStatus;
    this.warnings.warn(
      `status:${label(status)}`,
      `ml.task.status must be one of ${ML_TASK_STATUS_VALUES.join(', ')}, got ${describeValue(status)}; the task is dropped`,
    );
    return undefined;
  }

  private cached(key: string, build: () => Attributes): Attributes {
    let attributes = this.attributeCache.get(key);
    if (attributes === undefined) {
      attributes = build();
      this.attributeCache.set(key, attributes);
    }
    return attributes;
  }

  // Built fresh per call on purpose: the SDK hashes the attributes on every add/record anyway,
  // and benchmarks/ measured a string-keyed cache here as slower (~300 ns for key and lookup)
  // than the object literal it saves (~25 ns).
  private taskAttributes(name: string, worker: string | undefined, status?: MlTaskStatus): Attributes {
    const attributes: Attributes = { [ATTR_ML_TASK_NAME]: name };
    if (status !== undefined) attributes[ATTR_ML_TASK_STATUS] = status;
    if (worker !== undefined) attributes[ATTR_ML_WORKER_TYPE] = worker;
    return attributes;
  }

  private begin(name: string, options: TaskOptions | undefined, manual: boolean): TaskHandle {
    const taskName = this.names.admit(name);
    if (taskName === undefined) return NOOP_HANDLE;
    const worker = this.worker(options?.workerType);
    const classify = options?.classify ?? classifyError;
    const instruments = this.current();
    const activeAttributes = this.taskAttributes(taskName, worker);
    instruments.active.add(1, activeAttributes);
    const startedAt = performance.now();
    let ended = false;
    const end = (status: MlTaskStatus, errorType?: string): void => {
      if (ended) {
        if (manual) this.warnings.warn('handle:twice', `a task handle of "${taskName}" was ended twice; ignored`);
        return;
      }
      ended = true;
      // The same instruments as the +1, so in-flight balances even if the provider changed.
      instruments.active.add(-1, activeAttributes);
      this.finish(instruments, taskName, worker, status, (performance.now() - startedAt) / 1000, errorType);
    };
    return {
      success: () => end('success'),
      fail: (error?: unknown) => {
        let status: MlTaskStatus = 'error';
        try {
          status = this.status(classify(error)) ?? 'error';
        } catch {
          this.warnings.warn('classify:throw', `the classify option of "${taskName}" threw; recorded as error`);
        }
        let errorType = '_OTHER';
        try {
          errorType = errorTypeOf(error);
        } catch {
          // A thrown value with a throwing getter: the task still ends, the caller's error stands.
        }
        end(status, errorType);
      },
      end: (status: MlTaskStatus, errorType?: string) => {
        const checked = this.status(status);
        if (checked !== undefined) end(checked, errorType);
      },
    };
  }

  private finish(
    instruments: TaskInstruments,
    name: string,
    worker: string | undefined,
    status: MlTaskStatus,
    durationSeconds: number | undefined,
    errorType: unknown,
  ): void {
    const attributes = this.taskAttributes(name, worker, status);
    instruments.tasks.add(1, attributes);
    if (durationSeconds !== undefined) {
      if (isNonNegativeFinite(durationSeconds)) instruments.duration.record(durationSeconds, attributes);
      else
        this.warnings.warn(
          'duration:invalid',
          `ml.task.duration needs a finite, non-negative number of seconds, got ${describeValue(durationSeconds)}; the duration is dropped, the task is counted`,
        );
    }
    if (!isFailure(status)) return;
    const type = errorType === undefined || errorType === '' ? (status === 'error' ? '_OTHER' : status) : errorType;
    const admitted = this.errorTypes.admit(type) ?? '_OTHER';
    const errorAttributes: Attributes = { [ATTR_ML_TASK_NAME]: name, [ATTR_ERROR_TYPE]: admitted };
    if (worker !== undefined) errorAttributes[ATTR_ML_WORKER_TYPE] = worker;
    instruments.errors.add(1, errorAttributes);
  }

  private invoke(
    name: string,
    options: TaskOptions | undefined,
    fn: AnyFunction,
    thisArg: unknown,
    args: never[],
    kind: 'generator' | 'asyncGenerator' | 'plain',
  ): unknown {
    if (kind === 'generator') {
      return this.instrumentGenerator(name, options, fn.apply(thisArg, args) as Generator);
    }
    if (kind === 'asyncGenerator') {
      return this.instrumentAsyncGenerator(name, options, fn.apply(thisArg, args) as AsyncGenerator);
    }
    const handle = this.begin(name, options, false);
    let result: unknown;
    try {
      result = fn.apply(thisArg, args);
    } catch (error) {
      handle.fail(error);
      throw error;
    }
    if (!isThenable(result)) {
      handle.success();
      return result;
    }
    const timeoutMs = options?.timeoutMs;
    const settled = Promise.resolve(result);
    if (timeoutMs === undefined || !(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      if (timeoutMs !== undefined) {
        this.warnings.warn(
          'timeout:invalid',
          `timeoutMs must be a positive number, got ${describeValue(timeoutMs)}; ignored`,
        );
      }
      return settled.then(
        (value) => {
          handle.success();
          return value;
        },
        (error: unknown) => {
          handle.fail(error);
          throw error;
        },
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TaskTimeoutError(name, timeoutMs);
        handle.end('timeout', error.name);
        reject(error);
      }, timeoutMs);
      // Like the work itself, the time limit must not keep an otherwise idle process alive.
      timer.unref?.();
      settled.then(
        (value) => {
          clearTimeout(timer);
          handle.success();
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          handle.fail(error);
          reject(error);
        },
      );
    });
  }

  private instrumentGenerator<T, R, N>(
    name: string,
    options: TaskOptions | undefined,
    generator: Generator<T, R, N>,
  ): Generator<T, R, N> {
    let handle: TaskHandle | undefined;
    let done = false;
    const settle = (step: () => IteratorResult<T, R>): IteratorResult<T, R> => {
      handle ??= this.begin(name, options, false);
      let result: IteratorResult<T, R>;
      try {
        result = step();
      } catch (error) {
        done = true;
        handle.fail(error);
        throw error;
      }
      if (result.done && !done) {
        done = true;
        handle.success();
      }
      return result;
    };
    const wrapper: Generator<T, R, N> = {
      next: (...value: [] | [N]) => settle(() => generator.next(...value)),
      throw: (error: unknown) => settle(() => generator.throw(error)),
      return: (value: R) => {
        let result: IteratorResult<T, R>;
        try {
          result = generator.return(value);
        } catch (error) {
          if (handle !== undefined && !done) {
            done = true;
            handle.fail(error);
          }
          throw error;
        }
        if (handle !== undefined && !done) {
          done = true;
          handle.end('cancelled');
        }
        return result;
      },
      [Symbol.iterator]() {
        return wrapper;
      },
    } as Generator<T, R, N>;
    return wrapper;
  }

  private instrumentAsyncGenerator<T, R, N>(
    name: string,
    options: TaskOptions | undefined,
    generator: AsyncGenerator<T, R, N>,
  ): AsyncGenerator<T, R, N> {
    let handle: TaskHandle | undefined;
    let done = false;
    const settle = async (step: () => Promise<IteratorResult<T, R>>): Promise<IteratorResult<T, R>> => {
      handle ??= this.begin(name, options, false);
      let result: IteratorResult<T, R>;
      try {
        result = await step();
      } catch (error) {
        done = true;
        handle.fail(error);
        throw error;
      }
      if (result.done && !done) {
        done = true;
        handle.success();
      }
      return result;
    };
    const wrapper = {
      next: (...value: [] | [N]) => settle(() => generator.next(...value)),
      throw: (error: unknown) => settle(() => generator.throw(error)),
      return: async (value: R | PromiseLike<R>) => {
        let result: IteratorResult<T, R>;
        try {
          result = await generator.return(value);
        } catch (error) {
          if (handle !== undefined && !done) {
            done = true;
            handle.fail(error);
          }
          throw error;
        }
        if (handle !== undefined && !done) {
          done = true;
          handle.end('cancelled');
        }
        return result;
      },
      [Symbol.asyncIterator]() {
        return wrapper;
      },
    } as AsyncGenerator<T, R, N>;
    return wrapper;
  }
}
