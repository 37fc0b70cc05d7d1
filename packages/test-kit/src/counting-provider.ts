// A MeterProvider that counts the SDK calls its instruments get, for the tests that assert how
// many calls a recorded event makes (the prepared series and cell counters exist to cut them).
// Collection-time callbacks run only when the test says so.
import type { Attributes, MeterProvider } from '@opentelemetry/api';

/** Calls made on the instruments: `add` and `record` per event, `observe` at collection. */
export interface SdkCalls {
  add: number;
  record: number;
  observe: number;
}

type Callback = (result: { observe(...args: unknown[]): void }) => void;

/** A counting provider, the calls it got (and the adds with their values), and its collection. */
export function countingProvider(): {
  provider: MeterProvider;
  calls: SdkCalls;
  added: [number, Attributes | undefined][];
  collectNow: () => void;
} {
  const calls: SdkCalls = { add: 0, record: 0, observe: 0 };
  const added: [number, Attributes | undefined][] = [];
  const callbacks: Callback[] = [];
  const instrument = {
    add: (value: number, attributes?: Attributes) => {
      calls.add++;
      added.push([value, attributes]);
    },
    record: () => void calls.record++,
    addCallback: (callback: Callback) => void callbacks.push(callback),
    removeCallback: (callback: Callback) => {
      const at = callbacks.indexOf(callback);
      if (at >= 0) callbacks.splice(at, 1);
    },
  };
  const create = () => instrument;
  const meter = {
    createCounter: create,
    createUpDownCounter: create,
    createHistogram: create,
    createGauge: create,
    createObservableCounter: create,
    createObservableUpDownCounter: create,
    createObservableGauge: create,
    addBatchObservableCallback: instrument.addCallback,
    removeBatchObservableCallback: instrument.removeCallback,
  };
  const provider = { getMeter: () => meter } as unknown as MeterProvider;
  const collectNow = () => {
    for (const callback of [...callbacks]) callback({ observe: () => void calls.observe++ });
  };
  return { provider, calls, added, collectNow };
}
