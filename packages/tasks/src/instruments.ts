import type { Counter, Histogram, MeterProvider, ObservableUpDownCounter } from '@opentelemetry/api';
import { ML_TASK_DURATION, ML_TASK_ERRORS, ML_TASK_QUEUE_DURATION, ML_TASKS } from '@mltel/semconv';
import { joinActive } from './active-registry.js';
import type { ActiveContributor } from './active-registry.js';
import { instrumentOptions, MeterCells, ProviderBinding } from '@mltel/kit';

/** Instrumentation scope of the task meter. */
export const SCOPE_NAME = '@mltel/tasks';

/** The task family's instruments on one meter provider (`ml.queue.size` is kit's queue registry). */
export interface TaskInstruments {
  readonly tasks: Counter;
  readonly duration: Histogram;
  readonly errors: Counter;
  /** Observed at collection from the task meters' own counts of tasks in flight (active-registry.ts). */
  readonly active: ObservableUpDownCounter;
  /** This meter's part of the shared `ml.tasks.active` callback. */
  readonly contributor: ActiveContributor;
  readonly queueDuration: Histogram;
}

/**
 * What runs at each collection of the instruments, before the SDK reads them: the counts the
 * meter kept since the last one are added then, and `addActive` is called for each series with
 * tasks reported in flight (summed with those of other task meters on the same provider).
 */
export type TaskCollect = (
  instruments: TaskInstruments,
  addActive: Parameters<ActiveContributor['collect']>[0],
) => void;

/** The task instruments bound to `meterProvider`, or to the global provider (followed) when unset. */
export function bindTaskInstruments(
  meterProvider: MeterProvider | undefined,
  collect: TaskCollect,
): ProviderBinding<TaskInstruments> {
  return new ProviderBinding(
    SCOPE_NAME,
    (meter, callbacks) => {
      const instruments = {
        tasks: meter.createCounter(ML_TASKS.name, instrumentOptions(ML_TASKS)),
        duration: meter.createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION)),
        errors: meter.createCounter(ML_TASK_ERRORS.name, instrumentOptions(ML_TASK_ERRORS)),
        queueDuration: meter.createHistogram(ML_TASK_QUEUE_DURATION.name, instrumentOptions(ML_TASK_QUEUE_DURATION)),
      } as { -readonly [K in keyof TaskInstruments]: TaskInstruments[K] };
      // Held by the instruments (so by the meter while it is bound here): the shared callback
      // holds it weakly. The SDK runs a meter's observable callbacks before it reads its
      // synchronous instruments, so the counts handed over here are in this very collection.
      const contributor: ActiveContributor = { collect: (addActive) => collect(instruments, addActive) };
      const { instrument, leave } = joinActive(meter, contributor);
      // The durations of prepared series are buffered in kit's cells, handed over the same way.
      const cells = new MeterCells(callbacks, instrument);
      instruments.duration = cells.histogram(instruments.duration);
      instruments.queueDuration = cells.histogram(instruments.queueDuration);
      instruments.active = instrument;
      instruments.contributor = contributor;
      callbacks.onRelease(leave);
      return instruments;
    },
    { meterProvider },
  );
}
