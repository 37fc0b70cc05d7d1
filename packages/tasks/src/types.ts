import type { MeterProvider } from '@opentelemetry/api';
import type { MlTaskStatus } from '@mltel/semconv';

/** Configuration of a task meter. */
export interface TaskMeterOptions {
  /**
   * The provider to record into. Default: the global provider, looked up again whenever it
   * changes, so a meter created before `start()` or the preload still records.
   */
  meterProvider?: MeterProvider;
  /** Default `ml.worker.type` of every task recorded by this meter (omitted when unset). */
  workerType?: string;
  /**
   * Allow-list of task names. When given, any other name is recorded as `_OTHER`.
   * When not given, the first `maxTaskNames` distinct names are kept and later ones become `_OTHER`.
   */
  taskNames?: readonly string[];
  /** Cap on distinct task names without an allow-list. Default 100. */
  maxTaskNames?: number;
  /** Cap on distinct `error.type` values. Default 50; later ones become `_OTHER`. */
  maxErrorTypes?: number;
  /** Attribute values longer than this are truncated (one warning). Default 128. */
  maxAttributeLength?: number;
}

/** Per-task options for {@link TaskMeter.wrap}, {@link TaskMeter.run} and the decorator. */
export interface TaskOptions {
  /** `ml.worker.type` for this task; overrides the meter's default. */
  workerType?: string;
  /**
   * Time limit in milliseconds for async work. When it passes, the returned promise rejects with
   * a {@link TaskTimeoutError} and the task is recorded with status `timeout`. The work itself
   * is not stopped (JavaScript cannot), so pass a signal to it if it should stop.
   */
  timeoutMs?: number;
  /** Maps a thrown value to a status; default {@link classifyError}. */
  classify?: (error: unknown) => Extract<MlTaskStatus, 'error' | 'retry' | 'timeout' | 'cancelled'>;
}

/** A finished task, for {@link TaskMeter.record}. */
export interface TaskRecord {
  /** The task type (`ml.task.name`): a bounded name, never an id. */
  name: string;
  /** Outcome; default `success`. */
  status?: MlTaskStatus;
  /** Duration in seconds; a NaN, infinite or negative value is dropped with one warning. */
  durationSeconds?: number;
  /** The error class, for status `error`/`retry`/`timeout` (`error.type`). */
  errorType?: string;
  /** `ml.worker.type`; overrides the meter's default. */
  workerType?: string;
}

/** A task started by hand with {@link TaskMeter.start}; end it exactly once. */
export interface TaskHandle {
  /** Ends the task as `success`. */
  success(): void;
  /** Ends the task as `error` (or what `classify` says), with `error.type` from the value. */
  fail(error?: unknown): void;
  /** Ends the task with an explicit status and optional error type. */
  end(status: MlTaskStatus, errorType?: string): void;
}
