import { defaultTaskMeter } from '@mltel/tasks';
import type { TaskHandle, TaskMeter } from '@mltel/tasks';
import { cachePackageVersions, MLTEL_VERSION, isThenable } from '@mltel/kit';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { defaultMessagingMeter } from './messaging-meter.js';
import type { MessagingMeter, MessagingOperation } from './messaging-meter.js';
import type { MessagingInstrumentationConfig } from './types.js';

/** The `bullmq` versions patched: 5 to the current major. */
export const BULLMQ_SUPPORTED_VERSIONS = ['>=5.0.0 <7'];

const SYSTEM = 'bullmq';
/** Job states read for `ml.queue.jobs` (one `getJobCounts()` call per read). */
export const BULLMQ_JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'paused'];
// Errors a processor throws to move its job elsewhere (delay it, wait for children, rate-limit it):
// the job runs again, so the attempt is a `retry`, not a failure.
const MOVE_ERRORS = new Set(['DelayedError', 'WaitingError', 'WaitingChildrenError', 'RateLimitError']);

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type Prototype = Record<string, unknown>;

interface JobLike {
  name?: unknown;
  timestamp?: unknown;
  processedOn?: unknown;
  attemptsMade?: unknown;
  opts?: { attempts?: unknown; delay?: unknown };
}

interface QueueLike {
  name?: unknown;
  closing?: unknown;
  getJobCounts?: (...types: string[]) => Promise<Record<string, number>>;
}

interface FlowNode {
  queueName?: unknown;
  children?: unknown;
}

// Flows are trees the user builds; counting their jobs is bounded in depth and size.
const MAX_FLOW_DEPTH = 32;
const MAX_FLOW_JOBS = 10_000;

function countFlow(node: unknown, into: Map<string, number>, depth = 0, seen = { n: 0 }): void {
  if (typeof node !== 'object' || node === null || depth > MAX_FLOW_DEPTH || seen.n >= MAX_FLOW_JOBS) return;
  seen.n++;
  const queue = (node as FlowNode).queueName;
  if (typeof queue === 'string') into.set(queue, (into.get(queue) ?? 0) + 1);
  const children = (node as FlowNode).children;
  if (Array.isArray(children)) for (const child of children) countFlow(child, into, depth + 1, seen);
}

function willRetry(job: JobLike, error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && MOVE_ERRORS.has(name)) return true;
  if (name === 'UnrecoverableError') return false;
  const made = typeof job.attemptsMade === 'number' ? job.attemptsMade : 0;
  const attempts = typeof job.opts?.attempts === 'number' ? job.opts.attempts : 1;
  return made + 1 < attempts;
}

/**
 * Records `bullmq`: producers (`Queue.add`, `addBulk`, `FlowProducer.add`/`addBulk`) with the OTel
 * messaging metrics; each job a worker runs as one ML task through `@mltel/tasks` (`ml.tasks` by
 * status with failed attempts that will run again as `retry`, `ml.task.duration`, errors, active,
 * and the queue wait from the job's own timestamps); and the job counts of every queue this
 * process adds to as `ml.queue.jobs`, read at collection at most once per interval.
 */
export class BullMQInstrumentation extends InstrumentationBase<MessagingInstrumentationConfig> {
  constructor(config: MessagingInstrumentationConfig = {}) {
    super('@mltel/instrumentation-messaging/bullmq', MLTEL_VERSION, config);
    cachePackageVersions(this);
  }

  private messagingMeter = (): MessagingMeter => this.getConfig().meter ?? defaultMessagingMeter();
  private tasks = (): TaskMeter => this.getConfig().taskMeter ?? defaultTaskMeter();

  protected init() {
    const file = (path: string, className: string, methods: [string, (original: AnyFunction) => AnyFunction][]) => {
      const prototypeOf = (exports: unknown) =>
        (exports as Record<string, { prototype?: Prototype } | undefined> | undefined)?.[className]?.prototype;
      return new InstrumentationNodeModuleFile(
        path,
        BULLMQ_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          const prototype = prototypeOf(exports);
          if (prototype !== undefined) {
            for (const [method, wrapper] of methods) {
              if (typeof prototype[method] === 'function') {
                this._wrap(prototype, method, (original: unknown) => wrapper(original as AnyFunction));
              }
            }
          }
          return exports;
        },
        (exports: unknown) => {
          const prototype = prototypeOf(exports);
          if (prototype !== undefined) for (const [method] of methods) this._unwrap(prototype, method);
        },
      );
    };
    return new InstrumentationNodeModuleDefinition('bullmq', BULLMQ_SUPPORTED_VERSIONS, undefined, undefined, [
      file('bullmq/dist/cjs/classes/queue.js', 'Queue', [
        ['add', (original) => this.wrapAdd(original, 'add', () => 1)],
        [
          'addBulk',
          (original) => this.wrapAdd(original, 'add_bulk', (args) => (Array.isArray(args[0]) ? args[0].length : 0)),
        ],
        ['close', (original) => this.wrapClose(original)],
      ]),
      file('bullmq/dist/cjs/classes/flow-producer.js', 'FlowProducer', [
        ['add', (original) => this.wrapFlow(original, 'flow_add', (args) => [args[0]])],
        [
          'addBulk',
          (original) => this.wrapFlow(original, 'flow_add_bulk', (args) => (Array.isArray(args[0]) ? args[0] : [])),
        ],
      ]),
      file('bullmq/dist/cjs/classes/worker.js', 'Worker', [
        ['callProcessJob', (original) => this.wrapProcess(original)],
      ]),
    ]);
  }

  private stops = new WeakMap<object, () => void>();

  // A queue this process adds to is reported as `ml.queue.jobs` from its first add on.
  private observe(queue: QueueLike): void {
    try {
      if (
        this.stops.has(queue as object) ||
        typeof queue.name !== 'string' ||
        typeof queue.getJobCounts !== 'function'
      ) {
        return;
      }
      const meter = this.messagingMeter();
      if (meter.queueJobs.has(SYSTEM, queue.name)) {
        this.stops.set(queue as object, () => {});
        return;
      }
      const read = () => {
        if (queue.closing) return Promise.reject(new Error('the queue is closing'));
        return (queue.getJobCounts as NonNullable<QueueLike['getJobCounts']>).call(queue, ...BULLMQ_JOB_STATES);
      };
      this.stops.set(queue as object, meter.queueJobs.add(SYSTEM, queue.name, read));
    } catch {
      // Recording never stops an add.
    }
  }

  private wrapAdd(original: AnyFunction, operation: string, count: (args: unknown[]) => number): AnyFunction {
    const instrumentation = this;
    return function add(this: unknown, ...args: unknown[]) {
      const queue = this as QueueLike;
      instrumentation.observe(queue);
      const op: MessagingOperation = {
        system: SYSTEM,
        operation,
        destination: typeof queue?.name === 'string' ? queue.name : undefined,
      };
      let n = 0;
      try {
        n = count(args);
      } catch {
        n = 0;
      }
      return instrumentation.timed(original, this, args, (seconds, error) => {
        const meter = instrumentation.messagingMeter();
        meter.sent(op, n, error);
        meter.operation(op, seconds, error);
      });
    };
  }

  private wrapFlow(original: AnyFunction, operation: string, roots: (args: unknown[]) => unknown[]): AnyFunction {
    const instrumentation = this;
    return function addFlow(this: unknown, ...args: unknown[]) {
      const perQueue = new Map<string, number>();
      try {
        for (const root of roots(args)) countFlow(root, perQueue);
      } catch {
        perQueue.clear();
      }
      return instrumentation.timed(original, this, args, (seconds, error) => {
        const meter = instrumentation.messagingMeter();
        for (const [queue, n] of perQueue) meter.sent({ system: SYSTEM, operation, destination: queue }, n, error);
        meter.operation({ system: SYSTEM, operation }, seconds, error);
      });
    };
  }

  private wrapClose(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function close(this: unknown, ...args: unknown[]) {
      try {
        instrumentation.stops.get(this as object)?.();
        instrumentation.stops.delete(this as object);
      } catch {
        // As above.
      }
      return original.apply(this, args);
    };
  }

  private wrapProcess(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function callProcessJob(this: unknown, job: unknown, ...rest: unknown[]) {
      const worker = this as { name?: unknown };
      let handle: TaskHandle | undefined;
      const j = (typeof job === 'object' && job !== null ? job : {}) as JobLike;
      try {
        const name = typeof j.name === 'string' ? j.name : 'unknown';
        const tasks = instrumentation.tasks();
        // The first attempt only: a retried job's timestamps include its earlier attempts.
        if ((j.attemptsMade ?? 0) === 0 && typeof j.timestamp === 'number' && typeof worker.name === 'string') {
          const startedAt = typeof j.processedOn === 'number' ? j.processedOn : Date.now();
          const delay = typeof j.opts?.delay === 'number' ? j.opts.delay : 0;
          const waited = Math.max(0, startedAt - j.timestamp - delay) / 1000;
          tasks.recordQueueWait(name, worker.name, waited);
        }
        handle = tasks.start(name);
      } catch {
        handle = undefined;
      }
      const end = (error?: unknown) => {
        if (handle === undefined) return;
        try {
          if (error === undefined) handle.success();
          else if (willRetry(j, error)) handle.end('retry', instrumentation.messagingMeter().errorType(error));
          else handle.fail(error);
        } catch {
          // As above.
        }
      };
      let returned: unknown;
      try {
        returned = original.call(this, job, ...rest);
      } catch (error) {
        end(error);
        throw error;
      }
      if (!isThenable(returned)) {
        end();
        return returned;
      }
      // BullMQ awaits what is returned: the same settlement, observed on the way.
      return (returned as PromiseLike<unknown>).then(
        (value) => {
          end();
          return value;
        },
        (error: unknown) => {
          end(error);
          throw error;
        },
      );
    };
  }

  private timed(
    original: AnyFunction,
    self: unknown,
    args: unknown[],
    done: (seconds: number, error?: unknown) => void,
  ): unknown {
    const start = performance.now();
    const finish = (error?: unknown) => {
      try {
        done((performance.now() - start) / 1000, error);
      } catch {
        // As above.
      }
    };
    let returned: unknown;
    try {
      returned = original.apply(self, args);
    } catch (error) {
      finish(error);
      throw error;
    }
    if (!isThenable(returned)) {
      finish();
      return returned;
    }
    return (returned as PromiseLike<unknown>).then(
      (value) => {
        finish();
        return value;
      },
      (error: unknown) => {
        finish(error);
        throw error;
      },
    );
  }
}
