import type { Counter, Histogram, MeterProvider, UpDownCounter } from '@opentelemetry/api';
import { ML_TASK_DURATION, ML_TASK_ERRORS, ML_TASK_QUEUE_DURATION, ML_TASKS, ML_TASKS_ACTIVE } from '@mltel/semconv';
import { instrumentOptions, ProviderBinding } from '@mltel/kit';

/** Instrumentation scope of the task meter. */
export const SCOPE_NAME = '@mltel/tasks';

/** The task family's instruments on one meter provider (`ml.queue.size` is kit's queue registry). */
export interface TaskInstruments {
  readonly tasks: Counter;
  readonly duration: Histogram;
  readonly errors: Counter;
  readonly active: UpDownCounter;
  readonly queueDuration: Histogram;
}

/** The task instruments bound to `meterProvider`, or to the global provider (followed) when unset. */
export function bindTaskInstruments(meterProvider?: MeterProvider): ProviderBinding<TaskInstruments> {
  return new ProviderBinding(
    SCOPE_NAME,
    (meter) => ({
      tasks: meter.createCounter(ML_TASKS.name, instrumentOptions(ML_TASKS)),
      duration: meter.createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION)),
      errors: meter.createCounter(ML_TASK_ERRORS.name, instrumentOptions(ML_TASK_ERRORS)),
      active: meter.createUpDownCounter(ML_TASKS_ACTIVE.name, instrumentOptions(ML_TASKS_ACTIVE)),
      queueDuration: meter.createHistogram(ML_TASK_QUEUE_DURATION.name, instrumentOptions(ML_TASK_QUEUE_DURATION)),
    }),
    { meterProvider },
  );
}
