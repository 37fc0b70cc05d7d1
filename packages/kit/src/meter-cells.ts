// The cells of one meter's instruments (./counter-cells.ts, ./histogram-cells.ts): what they
// hold is handed to the SDK instruments at each collection, from a callback on an observable
// instrument of the same meter (the SDK runs a meter's observable callbacks before it reads its
// synchronous instruments), and when the binding leaves the provider (to the old provider's
// instruments, as a direct call would have).
import type { Counter, Histogram, Meter, Observable } from '@opentelemetry/api';
import { CellCounter } from './counter-cells.js';
import { batchRecorder } from './histogram-handover.js';
import { CellHistogram } from './histogram-cells.js';
import type { CallbackRegistry } from './callback-list.js';

/**
 * The name of the carrier gauge of a meter that has no observable instrument of its own. It
 * observes nothing, and the SDK exports no metric without a data point.
 */
export const CELLS_CARRIER = 'mltel.cells.carrier';

/** The cell instruments of one meter, handed over from a callback on `carrier`. */
export class MeterCells {
  /** Cells carried by a gauge of their own ({@link CELLS_CARRIER}) on `meter`. */
  static withCarrier(meter: Meter, callbacks: CallbackRegistry): MeterCells {
    return new MeterCells(
      callbacks,
      meter.createObservableGauge(CELLS_CARRIER, {
        description: 'Carries the hand-over of buffered values to the SDK; never observed.',
      }),
    );
  }

  private readonly counters: CellCounter[] = [];
  private readonly histograms: CellHistogram[] = [];

  constructor(callbacks: CallbackRegistry, carrier: Observable) {
    callbacks.observe(carrier, () => this.handOver(true));
    callbacks.onRelease(() => this.handOver());
  }

  /** `target` with its adds summed here until the next collection. */
  counter(target: Counter): Counter {
    const counter = new CellCounter(target);
    this.counters.push(counter);
    return counter;
  }

  /**
   * `target` with its records buffered here until the next collection, or `target` itself when
   * it is not an SDK histogram whose storage the hand-over recognises.
   */
  histogram(target: Histogram): Histogram {
    const batch = batchRecorder(target);
    if (batch === undefined) return target;
    const histogram = new CellHistogram(target, batch);
    this.histograms.push(histogram);
    return histogram;
  }

  /** Hands everything pending to the SDK instruments now (at a collection: `collecting`). */
  handOver(collecting = false): void {
    for (const counter of this.counters) counter.handOver();
    for (const histogram of this.histograms) histogram.handOver(collecting);
  }
}
