// The collection-time callbacks that one set of instruments registered on a meter, removed
// together when those instruments are given up (a provider an mltel binding leaves, or an
// instrumentation's instruments made again): an old provider keeps no reference to them, and no
// callback runs twice.
import type { BatchObservableCallback, Meter, Observable, ObservableCallback } from '@opentelemetry/api';

/**
 * Registers collection-time callbacks through the binding, so it can remove them from a
 * provider it leaves (an old provider keeps no reference to the meter, and no callback runs twice).
 */
export interface CallbackRegistry {
  /** `instrument.addCallback(callback)`, undone when the binding moves. */
  observe(instrument: Observable, callback: ObservableCallback): void;
  /** `meter.addBatchObservableCallback(callback, instruments)`, undone when the binding moves. */
  observeBatch(callback: BatchObservableCallback, instruments: Observable[]): void;
  /** Runs `undo` when the binding moves (for what is registered elsewhere, e.g. a shared callback). */
  onRelease(undo: () => void): void;
}

/** A {@link CallbackRegistry} on `meter` whose registrations {@link release} undoes. */
export class CallbackList implements CallbackRegistry {
  private readonly undo: (() => void)[] = [];

  constructor(private readonly meter: Meter) {}

  observe(instrument: Observable, callback: ObservableCallback): void {
    instrument.addCallback(callback);
    this.undo.push(() => instrument.removeCallback(callback));
  }

  observeBatch(callback: BatchObservableCallback, instruments: Observable[]): void {
    this.meter.addBatchObservableCallback(callback, instruments);
    this.undo.push(() => this.meter.removeBatchObservableCallback(callback, instruments));
  }

  onRelease(undo: () => void): void {
    this.undo.push(undo);
  }

  /** Undoes every registration, once; one that throws does not stop the others. */
  release(): void {
    for (const undo of this.undo.splice(0)) {
      try {
        undo();
      } catch {
        // An old provider that fails to remove a callback is gone anyway.
      }
    }
  }
}
