import type { Attributes, MeterProvider } from '@opentelemetry/api';
import type { MlTaskStatus } from '@mltel/semconv';
import { describeValue, queueDepths, WarnOnce } from '@mltel/kit';
import type { ProviderBinding } from '@mltel/kit';
import { label, TaskAttributes } from './attributes.js';
import { classifyError, isFailure } from './errors.js';
import { MAX_QUEUE_SIZE, MAX_SECONDS, safeErrorType } from './input.js';
import { field, inRange } from '@mltel/kit';
import { bindTaskInstruments } from './instruments.js';
import type { TaskInstruments } from './instruments.js';
import { runCall } from './run-call.js';
import { generatorKind, runAsyncGenerator, runGenerator } from './run-generator.js';
import { TaskSeriesSet } from './task-series.js';
import type { TaskSeries } from './task-series.js';
import type { TaskHandle, TaskMeterOptions, TaskOptions, TaskRecord } from './types.js';

const NOOP_HANDLE: TaskHandle = { success() {}, fail() {}, end() {} };

type AnyFunction = (this: unknown, ...args: never[]) => unknown;
type Kind = ReturnType<typeof generatorKind>;

/**
 * Records the ML task family (`ml.tasks`, `ml.task.duration`, `ml.task.errors`,
 * `ml.tasks.active`, `ml.task.queue.duration`, `ml.queue.size`). Every method is safe to call
 * from the hot path: it never throws, and bad input is dropped with one `diag` warning.
 */
export class TaskMeter {
  private readonly provider: MeterProvider | undefined;
  private readonly warnings = new WarnOnce();
  private readonly attributes: TaskAttributes;
  private readonly instruments: ProviderBinding<TaskInstruments>;
  // Series prepared once per task name and worker (attribute sets, counts handed over at each
  // collection, tasks in flight). `ml.tasks` is born at 0 for every status of a task name seen, so
  // the first error or timeout of a task is an increase from 0 (a series born at its first
  // increment loses it in increase()); born again on the instruments of a new provider.
  private readonly prepared: TaskSeriesSet;

  constructor(options: TaskMeterOptions = {}) {
    const provider = field(options, 'meterProvider');
    this.provider = typeof provider === 'object' && provider !== null ? (provider as MeterProvider) : undefined;
    this.attributes = new TaskAttributes(options, this.warnings);
    const prepared = new TaskSeriesSet(this.attributes);
    this.prepared = prepared;
    this.instruments = bindTaskInstruments(this.provider, (instruments, result) =>
      prepared.collect(instruments, result),
    );
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
    const kind = generatorKind(fn);
    const wrapped = function (this: unknown, ...args: never[]): unknown {
      return meter.invoke(name, options, fn as unknown as AnyFunction, this, args, kind);
    };
    try {
      Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
      Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
    } catch {
      // A function that is a Proxy with throwing traps: the wrapper keeps its own name and length.
    }
    return wrapped as unknown as F;
  }

  /** Runs `fn` now as one task; same rules as {@link TaskMeter.wrap}. */
  run<R>(name: string, fn: () => R, options?: TaskOptions): R {
    if (typeof fn !== 'function') {
      this.warnings.warn('run:not-function', `run(${label(name)}) needs a function, got ${describeValue(fn)}`);
      return undefined as R;
    }
    return this.invoke(name, options, fn as AnyFunction, undefined, [], generatorKind(fn)) as R;
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
    // Each field read once and guarded: a throwing getter loses that field, never the caller's call.
    const given = field(task, 'status');
    const status = this.attributes.status(given === undefined ? 'success' : given);
    if (status === undefined) return;
    const name = this.attributes.name(field(task, 'name'));
    if (name === undefined) return;
    const worker = this.attributes.worker(field(task, 'workerType'));
    this.finish(name, worker, undefined, status, field(task, 'durationSeconds'), field(task, 'errorType'));
  }

  /** Records the time a task waited in `queue` before it started, in seconds. */
  recordQueueWait(name: string, queue: string, seconds: number): void {
    if (!inRange(seconds, MAX_SECONDS)) {
      this.warnings.warn(
        'queue-wait:invalid',
        `ml.task.queue.duration needs a number of seconds from 0 to ${MAX_SECONDS}, got ${describeValue(seconds)}; the value is dropped`,
      );
      return;
    }
    const taskName = this.attributes.name(name);
    const queueName = this.attributes.queue(queue);
    if (taskName === undefined || queueName === undefined) return;
    this.instruments.get().queueDuration.record(seconds, this.attributes.queueWait(taskName, queueName));
  }

  /**
   * Reports the depth of `queue` at every collection by calling `read`. Returns a function that
   * stops it. A `read` that throws or returns a bad number is skipped with one warning.
   */
  observeQueueSize(queue: string, read: () => number): () => void {
    const queueName = this.attributes.queue(queue);
    if (queueName === undefined || typeof read !== 'function') {
      if (typeof read !== 'function') {
        this.warnings.warn('queue-size:not-function', `observeQueueSize(${label(queue)}) needs a function`);
      }
      return () => {};
    }
    // `ml.queue.size` has one owner, kit's process-wide registry of the provider: it follows a
    // global provider set later, and skips a reader that throws or returns a bad number.
    return queueDepths(this.provider).observe(queueName, read);
  }

  /** Sets the last known depth of `queue`, reported at every collection (push style). */
  setQueueSize(queue: string, size: number): void {
    if (!inRange(size, MAX_QUEUE_SIZE)) {
      this.warnings.warn(
        'queue-size:invalid',
        `ml.queue.size needs a number from 0 to ${MAX_QUEUE_SIZE}, got ${describeValue(size)}; the value is dropped`,
      );
      return;
    }
    this.observeQueueSize(queue, () => size);
  }

  private begin(name: string, options: TaskOptions | undefined, manual: boolean): TaskHandle {
    const taskName = this.attributes.name(name);
    if (taskName === undefined) return NOOP_HANDLE;
    const worker = this.attributes.worker(field(options, 'workerType'));
    const given = field(options, 'classify');
    const classify = typeof given === 'function' ? (given as NonNullable<TaskOptions['classify']>) : classifyError;
    const startedOn = this.instruments.get();
    this.prepared.use(startedOn);
    const series = this.prepared.get(taskName, worker);
    // Past the prepared series (10,000 name and worker pairs) a task is counted, not tracked in flight.
    if (series !== undefined) {
      series.startedOnce = true;
      series.active += 1;
    }
    const startedAt = performance.now();
    let ended = false;
    const end = (status: MlTaskStatus, errorType?: string): void => {
      if (ended) {
        if (manual) this.warnings.warn('handle:twice', `a task handle of "${taskName}" was ended twice; ignored`);
        return;
      }
      ended = true;
      if (series !== undefined) series.active -= 1;
      try {
        this.finish(taskName, worker, series, status, (performance.now() - startedAt) / 1000, errorType, startedOn);
      } catch {
        // A failing provider loses this task's counts, never the caller's result.
      }
    };
    return {
      success: () => end('success'),
      fail: (error?: unknown) => {
        let status: MlTaskStatus = 'error';
        try {
          status = this.attributes.status(classify(error)) ?? 'error';
        } catch {
          this.warnings.warn('classify:throw', `the classify option of "${taskName}" threw; recorded as error`);
        }
        // A thrown value with a throwing getter is `_OTHER`: the task still ends, the caller's error stands.
        end(status, safeErrorType(error));
      },
      end: (status: MlTaskStatus, errorType?: string) => {
        const checked = this.attributes.status(status);
        if (checked !== undefined) end(checked, errorType);
      },
    };
  }

  /**
   * Records a finished task: counted in its prepared series (handed to `ml.tasks` at the next
   * collection), its duration recorded now with the series' attribute set.
   */
  private finish(
    name: string,
    worker: string | undefined,
    known: TaskSeries | undefined,
    status: MlTaskStatus,
    durationSeconds: unknown,
    errorType: unknown,
    startedOn?: TaskInstruments,
  ): void {
    const current = this.instruments.get();
    this.prepared.use(current);
    // A task ends on the provider it started on: past a change of provider, counted there directly.
    const instruments = startedOn ?? current;
    const series = instruments === current ? (known ?? this.prepared.get(name, worker)) : undefined;
    let attributes: Attributes;
    if (series === undefined) {
      attributes = this.attributes.task(name, worker, status);
      instruments.tasks.add(1, attributes);
    } else {
      attributes = this.prepared.count(series, status);
    }
    if (durationSeconds !== undefined) {
      if (inRange(durationSeconds, MAX_SECONDS)) instruments.duration.record(durationSeconds, attributes);
      else
        this.warnings.warn(
          'duration:invalid',
          `ml.task.duration needs a number of seconds from 0 to ${MAX_SECONDS}, got ${describeValue(durationSeconds)}; the duration is dropped, the task is counted`,
        );
    }
    if (!isFailure(status)) return;
    instruments.errors.add(1, this.attributes.error(name, worker, this.attributes.errorType(status, errorType)));
  }

  private invoke(
    name: string,
    options: TaskOptions | undefined,
    fn: AnyFunction,
    thisArg: unknown,
    args: never[],
    kind: Kind,
  ): unknown {
    // Reflect.apply, not fn.apply: a Proxy function's `apply` property is not read, so only the
    // function itself can throw, and what it throws reaches the caller unchanged.
    const begin = (): TaskHandle => this.safeBegin(name, options);
    if (kind === 'generator') return runGenerator(Reflect.apply(fn, thisArg, args) as Generator, begin);
    if (kind === 'asyncGenerator') return runAsyncGenerator(Reflect.apply(fn, thisArg, args) as AsyncGenerator, begin);
    const limit = { name, timeoutMs: field(options, 'timeoutMs') };
    return runCall(() => Reflect.apply(fn, thisArg, args), begin(), limit, this.warnings);
  }

  /** {@link begin} for wrapped calls: a failure of mltel's own (a failing provider) records nothing, the call still runs. */
  private safeBegin(name: string, options: TaskOptions | undefined): TaskHandle {
    try {
      return this.begin(name, options, false);
    } catch {
      this.warnings.warn('begin:failed', 'starting a task record failed; the call runs unrecorded');
      return NOOP_HANDLE;
    }
  }
}
