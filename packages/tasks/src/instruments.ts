import type { Counter, Histogram, MeterProvider, ObservableResult, ObservableUpDownCounter } from '@opentelemetry/api';
import { ML_TASK_DURATION, ML_TASK_ERRORS, ML_TASK_QUEUE_DURATION, ML_TASKS, ML_TASKS_ACTIVE } from '@mltel/semconv';
import { instrumentOptions, ProviderBinding } from '@mltel/kit';

/** Instrumentation scope of the task meter. */
export const SCOPE_NAME = '@mltel/tasks';

/** The task family's instruments on one meter provider (`ml.queue.size` is kit's queue registry). */
export interface TaskInstruments {
  readonly tasks: Counter;
  readonly duration: Histogram;
  readonly errors: Counter;
  /** Observed at collection from the meter's own count of tasks in flight. */
  readonly active: ObservableUpDownCounter;
  readonly queueDuration: Histogram;
}

/**
 * What runs at each collection of the instruments, before the SDK reads them: `observeActive`
 * reports `ml.tasks.active`; the counts the meter kept since the last one are added then.
 */
export type TaskCollect = (instruments: TaskInstruments, observeActive: ObservableResult) => void;

/** The task instruments bound to `meterProvider`, or to the global provider (followed) when unset. */
export function bindTaskInstruments(
  meterProvider: MeterProvider | undefined,
  collect: TaskCollect,
): ProviderBinding<TaskInstruments> {
  return new ProviderBinding(
    SCOPE_NAME,
    (meter, callbacks) => {
      const active = meter.createObservableUpDownCounter(ML_TASKS_ACTIVE.name, instrumentOptions(ML_TASKS_ACTIVE));
      const instruments: TaskInstruments = {
        tasks: meter.createCounter(ML_TASKS.name, instrumentOptions(ML_TASKS)),
        duration: meter.createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION)),
        errors: meter.createCounter(ML_TASK_ERRORS.name, instrumentOptions(ML_TASK_ERRORS)),
        active,
        queueDuration: meter.createHistogram(ML_TASK_QUEUE_DURATION.name, instrumentOptions(ML_TASK_QUEUE_DURATION)),
      };
      // The SDK runs a meter's observable callbacks before it reads its synchronous instruments,
      // so the counts handed over here are in this very collection.
      callbacks.observe(active, (result) => collect(instruments, result));
      return instruments;
    },
    { meterProvider },
  );
}
