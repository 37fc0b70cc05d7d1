// `ml.tasks.active` has one callback per Meter (one per MeterProvider and the @mltel/tasks
// scope), shared by every task meter bound there. The SDK keeps the last value observed for an
// attribute set in a collection, so two task meters (the default one and an app's, or a BullMQ
// worker's) each observing the same task name would report one of their counts, not the sum.
import type { Attributes, Meter, ObservableResult, ObservableUpDownCounter } from '@opentelemetry/api';
import { ML_TASKS_ACTIVE } from '@mltel/semconv';
import { instrumentOptions } from '@mltel/kit';

/** What one task meter contributes at a collection: hand over its counts, then its tasks in flight. */
export interface ActiveContributor {
  /** Hands the pending counts over, then calls `add` for each series with tasks it reports in flight. */
  collect(add: (name: string, worker: string | undefined, active: number, attributes: Attributes) => void): void;
}

interface Shared {
  readonly instrument: ObservableUpDownCounter;
  // Held weakly: a task meter that is no longer used (one made per request by mistake) is not
  // kept alive by the provider it recorded to.
  readonly contributors: Set<WeakRef<ActiveContributor>>;
}

const shared = new WeakMap<Meter, Shared>();

/**
 * Registers `contributor` on `meter`'s one `ml.tasks.active` (created with its callback on first
 * use); returns the instrument and the function that unregisters it.
 */
export function joinActive(
  meter: Meter,
  contributor: ActiveContributor,
): { instrument: ObservableUpDownCounter; leave: () => void } {
  let entry = shared.get(meter);
  if (entry === undefined) {
    const instrument = meter.createObservableUpDownCounter(ML_TASKS_ACTIVE.name, instrumentOptions(ML_TASKS_ACTIVE));
    const created: Shared = { instrument, contributors: new Set() };
    instrument.addCallback((result) => collectAll(created, result));
    entry = created;
    shared.set(meter, entry);
  }
  const ref = new WeakRef(contributor);
  entry.contributors.add(ref);
  const contributors = entry.contributors;
  return { instrument: entry.instrument, leave: () => contributors.delete(ref) };
}

function collectAll(entry: Shared, result: ObservableResult): void {
  // Summed per name and worker (by worker, then name: no key built, no NUL ambiguity).
  const sums = new Map<string | undefined, Map<string, { value: number; attributes: Attributes }>>();
  for (const ref of entry.contributors) {
    const contributor = ref.deref();
    if (contributor === undefined) {
      entry.contributors.delete(ref);
      continue;
    }
    try {
      contributor.collect((name, worker, active, attributes) => {
        let byName = sums.get(worker);
        if (byName === undefined) {
          byName = new Map();
          sums.set(worker, byName);
        }
        const sum = byName.get(name);
        if (sum === undefined) byName.set(name, { value: active, attributes });
        else sum.value += active;
      });
    } catch {
      // One meter that fails loses its share of this collection, never the others'.
    }
  }
  for (const byName of sums.values()) {
    for (const { value, attributes } of byName.values()) result.observe(value, attributes);
  }
}
