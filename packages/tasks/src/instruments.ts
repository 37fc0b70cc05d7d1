import type {
  Counter,
  Histogram,
  MeterProvider,
  ObservableGauge,
  ObservableResult,
  UpDownCounter,
} from '@opentelemetry/api';
import {
  ML_QUEUE_SIZE,
  ML_TASK_DURATION,
  ML_TASK_ERRORS,
  ML_TASK_QUEUE_DURATION,
  ML_TASKS,
  ML_TASKS_ACTIVE,
} from '@mltel/semconv';
import { instrumentOptions } from '@mltel/kit';

/** Instrumentation scope of the task meter. */
export const SCOPE_NAME = '@mltel/tasks';
/** Version of the instrumentation scope. */
export const SCOPE_VERSION = '0.1.0';

/** The task family's instruments, created once per meter provider. */
export interface TaskInstruments {
  readonly provider: MeterProvider;
  readonly tasks: Counter;
  readonly duration: Histogram;
  readonly errors: Counter;
  readonly active: UpDownCounter;
  readonly queueDuration: Histogram;
  readonly queueSize: ObservableGauge;
}

/** Creates the task instruments on a provider, the queue gauge observed by `observeQueues`. */
export function createTaskInstruments(
  provider: MeterProvider,
  observeQueues: (result: ObservableResult) => void,
): TaskInstruments {
  const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
  const queueSize = meter.createObservableGauge(ML_QUEUE_SIZE.name, instrumentOptions(ML_QUEUE_SIZE));
  queueSize.addCallback(observeQueues);
  return {
    provider,
    tasks: meter.createCounter(ML_TASKS.name, instrumentOptions(ML_TASKS)),
    duration: meter.createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION)),
    errors: meter.createCounter(ML_TASK_ERRORS.name, instrumentOptions(ML_TASK_ERRORS)),
    active: meter.createUpDownCounter(ML_TASKS_ACTIVE.name, instrumentOptions(ML_TASKS_ACTIVE)),
    queueDuration: meter.createHistogram(ML_TASK_QUEUE_DURATION.name, instrumentOptions(ML_TASK_QUEUE_DURATION)),
    queueSize,
  };
}
