// A histogram whose values of a prepared (frozen) attribute set are buffered in mltel's own cell
// and handed to the SDK in batches: when the cell is full, and at each collection (from an
// observable callback of the same meter, which the SDK runs before it reads the synchronous
// instruments; see ./meter-cells.ts). The SDK aggregates every value itself (./histogram-handover.ts),
// so views, bucket boundaries, exponential aggregation, temporality and cardinality limits are
// the SDK's, and every reader sees the same data. What a record costs: a Map look-up by the
// identity of the attribute set and a typed-array write, instead of the SDK's sort and
// JSON.stringify of the attributes per record. Measured (a priced LLM `record()`: three histogram
// records and the cost histogram, Node 24, 2 cores, alternating in one process): see the commit.
import type { Attributes, Context, Histogram } from '@opentelemetry/api';
import { context as apiContext } from '@opentelemetry/api';
import type { BatchRecord } from './histogram-handover.js';
import { isIntegerHistogram } from './histogram-handover.js';

/**
 * Attribute sets buffered per histogram (the SDK's default cardinality limit per instrument);
 * past this many, records go to the SDK directly.
 */
export const MAX_HISTOGRAM_CELLS = 2000;
/**
 * Values a cell holds before it hands them over (its buffer grows from 8 to this): one series
 * look-up in the SDK per 32 values at most, 256 bytes per busy series.
 */
export const CELL_VALUES = 32;
const FIRST_CELL_VALUES = 8;

/**
 * Set on a histogram by whoever wraps its `record` to see each value in the context it was
 * recorded in (mltel's exemplar capture): the cells call it per buffered value, at record time.
 */
export const OFFER_EXEMPLAR = Symbol.for('mltel.histogram.offerExemplar');

/** See {@link OFFER_EXEMPLAR}. */
export type ExemplarOffer = (value: number, attributes: Attributes, context: Context) => void;

interface Cell {
  values: Float64Array;
  count: number;
}

/** A Histogram that buffers the values of prepared attribute sets; see the file's header. */
export class CellHistogram implements Histogram {
  private readonly cells = new Map<Attributes, Cell>();
  private readonly offer: ExemplarOffer | undefined;
  private readonly integer: boolean;

  constructor(
    private readonly target: Histogram,
    private readonly batch: BatchRecord,
  ) {
    const offer = (target as Histogram & { [OFFER_EXEMPLAR]?: unknown })[OFFER_EXEMPLAR];
    this.offer = typeof offer === 'function' ? (offer as ExemplarOffer) : undefined;
    this.integer = isIntegerHistogram(target);
  }

  record(value: number, attributes?: Attributes, context?: Context): void {
    // What the SDK would warn about or judge (not a number, negative, NaN, a fraction of an
    // integer histogram), a set that may change after this call (not frozen), or an explicit
    // context (a view may read its baggage) goes to the SDK as it is.
    if (
      context !== undefined ||
      attributes === undefined ||
      typeof value !== 'number' ||
      !(value >= 0) ||
      !Object.isFrozen(attributes) ||
      (this.integer && !Number.isInteger(value))
    ) {
      this.target.record(value, attributes, context);
      return;
    }
    let cell = this.cells.get(attributes);
    if (cell === undefined) {
      if (this.cells.size >= MAX_HISTOGRAM_CELLS) {
        this.target.record(value, attributes);
        return;
      }
      cell = { values: new Float64Array(FIRST_CELL_VALUES), count: 0 };
      this.cells.set(attributes, cell);
    }
    if (cell.count === cell.values.length) {
      if (cell.count < CELL_VALUES) {
        const grown = new Float64Array(cell.count * 2);
        grown.set(cell.values);
        cell.values = grown;
      } else {
        this.handOverCell(attributes, cell);
      }
    }
    cell.values[cell.count++] = value;
    if (this.offer !== undefined) {
      try {
        this.offer(value, attributes, apiContext.active());
      } catch {
        // An exemplar is never worth a recording.
      }
    }
  }

  /**
   * Hands every buffered value to the SDK. At a collection (`collecting`), a cell that got
   * nothing since the last hand-over is dropped: only series recorded between two collections
   * hold a buffer.
   */
  handOver(collecting = false): void {
    for (const [attributes, cell] of this.cells) {
      if (cell.count > 0) this.handOverCell(attributes, cell);
      else if (collecting) this.cells.delete(attributes);
    }
  }

  private handOverCell(attributes: Attributes, cell: Cell): void {
    const count = cell.count;
    cell.count = 0;
    try {
      this.batch(attributes, cell.values, count);
    } catch {
      // A failing provider loses these values, never the recording or the other cells.
    }
  }
}
