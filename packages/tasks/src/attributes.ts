// Admission of the task meter's attribute values (bounded names, worker and error types, status)
// and the attribute sets built from them.
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_QUEUE_NAME,
  ATTR_ML_TASK_NAME,
  ATTR_ML_TASK_STATUS,
  ATTR_ML_WORKER_TYPE,
  ML_TASK_STATUS_VALUES,
  OTHER_VALUE,
} from '@mltel/semconv';
import type { MlTaskStatus } from '@mltel/semconv';
import { BoundedValues, describeValue, MAX_QUEUES } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import { field } from '@mltel/kit';
import type { TaskMeterOptions } from './types.js';

const STATUSES: ReadonlySet<string> = new Set(ML_TASK_STATUS_VALUES);
const MAX_WORKER_TYPES = 20;
const MAX_ERROR_TYPE_LENGTH = 64;

/** A value named in a warning, without calling String() on a user object (which may throw). */
export function label(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : describeValue(value);
}

/** A cap or length option: a non-negative integer up to a million, else `fallback`. */
function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1_000_000 ? value : fallback;
}

/** An allow-list option: its strings (at most 10,000), or undefined when it is not an array or cannot be read. */
function stringList(value: unknown): string[] | undefined {
  try {
    if (!Array.isArray(value)) return undefined;
    return value.slice(0, 10_000).filter((entry): entry is string => typeof entry === 'string');
  } catch {
    return undefined;
  }
}

/**
 * The attribute values one task meter admits (allow-list or first-come caps, truncation; each
 * problem warned once) and the attribute sets it records with.
 */
export class TaskAttributes {
  private readonly names: BoundedValues;
  private readonly errorTypes: BoundedValues;
  private readonly workerTypes: BoundedValues;
  private readonly queueNames: BoundedValues;
  private readonly defaultWorker: string | undefined;
  // Attribute sets of queue waits, built once per task and queue; bounded like both names.
  private readonly cache = new Map<string, Attributes>();

  constructor(
    options: TaskMeterOptions,
    private readonly warnings: WarnOnce,
  ) {
    // Options are read field by field, each read guarded: a Proxy or a throwing getter in them
    // leaves that option at its default instead of failing the meter.
    const maxLength = count(field(options, 'maxAttributeLength'), 128);
    this.names = new BoundedValues(
      ATTR_ML_TASK_NAME,
      count(field(options, 'maxTaskNames'), 100),
      maxLength,
      warnings,
      stringList(field(options, 'taskNames')),
    );
    this.errorTypes = new BoundedValues(
      ATTR_ERROR_TYPE,
      count(field(options, 'maxErrorTypes'), 50),
      MAX_ERROR_TYPE_LENGTH,
      warnings,
    );
    this.workerTypes = new BoundedValues(ATTR_ML_WORKER_TYPE, MAX_WORKER_TYPES, maxLength, warnings);
    this.queueNames = new BoundedValues(ATTR_ML_QUEUE_NAME, MAX_QUEUES, maxLength, warnings);
    const workerType = field(options, 'workerType');
    this.defaultWorker = workerType === undefined ? undefined : this.workerTypes.admit(workerType);
  }

  /** The `ml.task.name` to record, or undefined when the value is not a non-empty string. */
  name(value: unknown): string | undefined {
    return this.names.admit(value);
  }

  /** The `ml.queue.name` to record, or undefined when the value is not a non-empty string. */
  queue(value: unknown): string | undefined {
    return this.queueNames.admit(value);
  }

  /** The `ml.worker.type` to record: the meter's default when unset, omitted when invalid. */
  worker(value: unknown): string | undefined {
    return value === undefined ? this.defaultWorker : this.workerTypes.admit(value);
  }

  /** A known `ml.task.status`, or undefined (one warning) for anything else. */
  status(value: unknown): MlTaskStatus | undefined {
    if (typeof value === 'string' && STATUSES.has(value)) return value as MlTaskStatus;
    this.warnings.warn(
      `status:${label(value)}`,
      `ml.task.status must be one of ${ML_TASK_STATUS_VALUES.join(', ')}, got ${describeValue(value)}; the task is dropped`,
    );
    return undefined;
  }

  /**
   * The `error.type` of a failed task: the given one, else the status itself (`timeout`, `retry`)
   * or `_OTHER` for a plain error; past the cap or invalid, `_OTHER`.
   */
  errorType(status: MlTaskStatus, value: unknown): string {
    const type = value === undefined || value === '' ? (status === 'error' ? OTHER_VALUE : status) : value;
    return this.errorTypes.admit(type) ?? OTHER_VALUE;
  }

  // Built fresh per call on purpose: the SDK hashes the attributes on every add/record anyway,
  // and benchmarks/ measured a string-keyed cache here as slower (~300 ns for key and lookup)
  // than the object literal it saves (~25 ns).
  /** The attributes of `ml.tasks`, `ml.task.duration` (with a status) and `ml.tasks.active` (without). */
  task(name: string, worker: string | undefined, status?: MlTaskStatus): Attributes {
    const attributes: Attributes = { [ATTR_ML_TASK_NAME]: name };
    if (status !== undefined) attributes[ATTR_ML_TASK_STATUS] = status;
    if (worker !== undefined) attributes[ATTR_ML_WORKER_TYPE] = worker;
    return attributes;
  }

  /** The attributes of `ml.task.errors`. */
  error(name: string, worker: string | undefined, errorType: string): Attributes {
    const attributes: Attributes = { [ATTR_ML_TASK_NAME]: name, [ATTR_ERROR_TYPE]: errorType };
    if (worker !== undefined) attributes[ATTR_ML_WORKER_TYPE] = worker;
    return attributes;
  }

  /** The attributes of `ml.task.queue.duration`, built once per admitted task and queue name. */
  queueWait(name: string, queue: string): Attributes {
    const key = `${name}\0${queue}`;
    let attributes = this.cache.get(key);
    if (attributes === undefined) {
      // Frozen: the histogram's cells (kit) buffer the values of a set they know by identity.
      attributes = Object.freeze({ [ATTR_ML_TASK_NAME]: name, [ATTR_ML_QUEUE_NAME]: queue });
      this.cache.set(key, attributes);
    }
    return attributes;
  }
}
