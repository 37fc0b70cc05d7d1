// `ml.queue.size` has one owner: this process-wide registry. The task meter, the pipeline meter
// and any later queue integration register their queue readers here, so one gauge reports every
// queue once, whichever API the application used.
import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import { ATTR_ML_QUEUE_NAME, ML_QUEUE_SIZE } from '@mltel/semconv';
import { BoundedValues, describeValue, isNonNegativeFinite, WarnOnce } from './guard.js';
import { instrumentOptions } from './instrument-options.js';
import { ProviderBinding } from './provider-binding.js';

/** Most distinct queue names reported; further names are reported as `_OTHER`. */
export const MAX_QUEUES = 50;
const MAX_QUEUE_NAME_LENGTH = 128;
const SCOPE_NAME = '@mltel/kit/queues';

/** The queue depths of one MeterProvider (or of the global one), reported as `ml.queue.size`. */
export class QueueDepths {
  private readonly readers = new Map<string, () => unknown>();
  private readonly attributes = new Map<string, Attributes>();
  private readonly warnings = new WarnOnce();
  private readonly names = new BoundedValues(ATTR_ML_QUEUE_NAME, MAX_QUEUES, MAX_QUEUE_NAME_LENGTH, this.warnings);
  private readonly binding: ProviderBinding<void>;

  constructor(meterProvider?: MeterProvider) {
    this.binding = new ProviderBinding(
      SCOPE_NAME,
      (meter, callbacks) => {
        const gauge = meter.createObservableGauge(ML_QUEUE_SIZE.name, instrumentOptions(ML_QUEUE_SIZE));
        callbacks.observe(gauge, this.collect);
      },
      { meterProvider },
    );
  }

  /**
   * Reports `read()` as the depth of `queue` at every collection, replacing an earlier reader of
   * the same queue. Returns the function that stops it. A reader that throws or returns anything
   * but a finite, non-negative number is skipped with one warning.
   */
  observe(queue: unknown, read: () => unknown): () => void {
    const name = this.names.admit(queue);
    if (name === undefined) return () => {};
    this.readers.set(name, read);
    this.binding.follow();
    return () => {
      if (this.readers.get(name) !== read) return;
      this.readers.delete(name);
      if (this.readers.size === 0) this.binding.unfollowGlobal();
    };
  }

  /** The queue names observed now (for tests and diagnostics). */
  queues(): string[] {
    return [...this.readers.keys()];
  }

  private readonly collect = (result: ObservableResult): void => {
    for (const [queue, read] of this.readers) {
      let size: unknown;
      try {
        size = read();
      } catch {
        this.warnings.warn(`throw:${queue}`, `the ml.queue.size reader of "${queue}" threw; skipped`);
        continue;
      }
      if (!isNonNegativeFinite(size)) {
        this.warnings.warn(
          `bad:${queue}`,
          `the ml.queue.size reader of "${queue}" returned ${describeValue(size)}; skipped`,
        );
        continue;
      }
      let attributes = this.attributes.get(queue);
      if (attributes === undefined) {
        attributes = { [ATTR_ML_QUEUE_NAME]: queue };
        this.attributes.set(queue, attributes);
      }
      result.observe(size, attributes);
    }
  };
}

// One registry per explicit provider, one for the global provider, shared by every copy of
// every mltel package through a registered symbol.
const REGISTRIES = Symbol.for('@mltel/kit/queue-depths');

interface Registries {
  global?: QueueDepths;
  byProvider: WeakMap<MeterProvider, QueueDepths>;
}

/** The process-wide queue-depth registry of `meterProvider` (default: the global provider). */
export function queueDepths(meterProvider?: MeterProvider): QueueDepths {
  const holder = globalThis as { [REGISTRIES]?: Registries };
  holder[REGISTRIES] ??= { byProvider: new WeakMap() };
  const registries = holder[REGISTRIES];
  if (meterProvider === undefined) {
    registries.global ??= new QueueDepths();
    return registries.global;
  }
  let registry = registries.byProvider.get(meterProvider);
  if (registry === undefined) {
    registry = new QueueDepths(meterProvider);
    registries.byProvider.set(meterProvider, registry);
  }
  return registry;
}
