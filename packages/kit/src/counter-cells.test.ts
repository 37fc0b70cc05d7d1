import { metrics, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Counter, MeterProvider as MeterProviderApi, ObservableCallback } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { countingProvider, sdkHarness } from '@mltel/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CELLS } from './counter-cells.js';
import { MeterCells } from './meter-cells.js';
import { ProviderBinding } from './provider-binding.js';

const { sdkProvider, collect, captureDiag } = sdkHarness([]);

/** A binding whose counter sums in cells, carried by a gauge's callback. */
function cellBinding(meterProvider?: MeterProviderApi) {
  return new ProviderBinding<{ counter: Counter }>(
    'test-scope',
    (meter, callbacks) => {
      const carrier = meter.createObservableGauge('test.carrier');
      const cells = new MeterCells(callbacks, carrier);
      return { counter: cells.counter(meter.createCounter('test.counter')) };
    },
    { meterProvider },
  );
}

afterEach(() => {
  metrics.disable();
});

describe('CellCounter (through MeterCells)', () => {
  it('makes no SDK call per add of a prepared set: one add per set at collection', () => {
    const { provider, calls, added, collectNow } = countingProvider();
    const bound = cellBinding(provider);
    const a = Object.freeze({ k: 'a' });
    const b = Object.freeze({ k: 'b' });
    for (let i = 0; i < 100; i++) bound.get().counter.add(2, i % 2 ? a : b);
    expect(calls.add).toBe(0);
    collectNow();
    expect(added).toEqual([
      [100, b],
      [100, a],
    ]);
    collectNow();
    expect(calls.add).toBe(2);
  });

  it('hands what the SDK judges or may change to the SDK at once', () => {
    const { provider, added } = countingProvider();
    const { counter } = cellBinding(provider).get();
    const open = { k: 'open' };
    const frozen = Object.freeze({ k: 'frozen' });
    counter.add(1, open);
    counter.add(-1, frozen);
    counter.add(Number.NaN, frozen);
    counter.add('3' as unknown as number, frozen);
    counter.add(1);
    counter.add(1, frozen, ROOT_CONTEXT);
    expect(added.map(([value]) => value)).toEqual([1, -1, Number.NaN, '3', 1, 1]);
  });

  it(`keeps at most ${MAX_CELLS} sets; further ones go to the SDK at once`, () => {
    const { provider, calls, collectNow } = countingProvider();
    const { counter } = cellBinding(provider).get();
    for (let i = 0; i <= MAX_CELLS; i++) counter.add(1, Object.freeze({ i }));
    expect(calls.add).toBe(1);
    collectNow();
    expect(calls.add).toBe(MAX_CELLS + 1);
  });

  it('exact totals on cumulative and delta readers of one provider, a zero makes the series', async () => {
    const cumulative = new (class extends MetricReader {
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    })();
    const delta = new (class extends MetricReader {
      constructor() {
        super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
      }
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    })();
    const provider = new MeterProvider({ readers: [cumulative, delta] });
    const { counter } = cellBinding(provider).get();
    const a = Object.freeze({ k: 'a' });
    const zero = Object.freeze({ k: 'zero' });
    counter.add(0.1, a);
    counter.add(0.2, a);
    counter.add(0, zero);
    expect((await collect(cumulative)).points('test.counter')).toEqual([
      { attributes: a, value: 0.1 + 0.2 },
      { attributes: zero, value: 0 },
    ]);
    counter.add(0.7, a);
    // The delta reader gets both hand-overs (one at the other reader's collection).
    expect((await collect(delta)).points('test.counter')).toEqual([
      { attributes: a, value: 0.1 + 0.2 + 0.7 },
      { attributes: zero, value: 0 },
    ]);
    expect((await collect(cumulative)).points('test.counter')).toEqual([
      { attributes: a, value: 0.1 + 0.2 + 0.7 },
      { attributes: zero, value: 0 },
    ]);
    counter.add(1, a);
    expect((await collect(delta)).points('test.counter')).toEqual([{ attributes: a, value: 1 }]);
  });

  it("the SDK's views still apply: the counter is a real SDK Counter", async () => {
    const reader = new (class extends MetricReader {
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    })();
    const provider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: 'test.counter', name: 'renamed' }],
    });
    const { counter } = cellBinding(provider).get();
    counter.add(2, Object.freeze({ k: 'a' }));
    expect((await collect(reader)).points('renamed')).toEqual([{ attributes: { k: 'a' }, value: 2 }]);
  });

  it('counts recorded before the global provider changes go to the old one, later ones to the new', async () => {
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const bound = cellBinding();
    const a = Object.freeze({ k: 'a' });
    bound.get().counter.add(3, a);
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    bound.get().counter.add(5, a);
    expect((await first.collect()).points('test.counter')).toEqual([{ attributes: a, value: 3 }]);
    expect((await second.collect()).points('test.counter')).toEqual([{ attributes: a, value: 5 }]);
    // The old provider's callback is gone: its count stays where it was.
    bound.get().counter.add(1, a);
    expect((await first.collect()).points('test.counter')).toEqual([{ attributes: a, value: 3 }]);
  });

  it('counts recorded just before shutdown are in its final export', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const { counter } = cellBinding(provider).get();
    counter.add(7, Object.freeze({ k: 'a' }));
    await provider.shutdown();
    const points = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      .filter((m) => m.descriptor.name === 'test.counter')
      .flatMap((m) => m.dataPoints.map((p) => p.value));
    expect(points).toEqual([7]);
  });

  it('a counter that throws at the hand-over loses its count, never the others', () => {
    const diagnostics = captureDiag();
    const added: number[] = [];
    let carrier: ObservableCallback | undefined;
    const registry = {
      observe: (_instrument: unknown, callback: ObservableCallback) => {
        carrier = callback;
      },
      observeBatch: () => {},
      onRelease: () => {},
    };
    const cells = new MeterCells(registry, {} as never);
    const failing = cells.counter({
      add: () => {
        throw new Error('boom');
      },
    });
    const working = cells.counter({ add: (value) => void added.push(value) });
    failing.add(1, Object.freeze({}));
    working.add(2, Object.freeze({}));
    expect(() => carrier?.({} as never)).not.toThrow();
    expect(added).toEqual([2]);
    expect(diagnostics.warnings).toEqual([]);
  });
});
