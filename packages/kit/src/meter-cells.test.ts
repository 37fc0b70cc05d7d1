import { metrics } from '@opentelemetry/api';
import type { Histogram, MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram as HistogramValue } from '@opentelemetry/sdk-metrics';
import { countingProvider } from '@mltel/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { CellHistogram } from './histogram-cells.js';
import { CELLS_CARRIER, MeterCells } from './meter-cells.js';
import { ProviderBinding } from './provider-binding.js';

class Reader extends MetricReader {
  constructor(temporality = AggregationTemporality.CUMULATIVE) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A binding whose histogram buffers in cells carried by a gauge of their own. */
function cellBinding(meterProvider?: MeterProviderApi) {
  return new ProviderBinding<{ histogram: Histogram }>(
    'test-scope',
    (meter, callbacks) => ({
      histogram: MeterCells.withCarrier(meter, callbacks).histogram(meter.createHistogram('test.histogram')),
    }),
    { meterProvider },
  );
}

async function histogramPoints(reader: MetricReader) {
  const { resourceMetrics } = await reader.collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  return {
    names: metrics.map((m) => m.descriptor.name),
    values: metrics.flatMap((m) => m.dataPoints.map((p) => p.value as HistogramValue)),
  };
}

afterEach(() => {
  metrics.disable();
});

describe('MeterCells', () => {
  it('hands buffered values to every reader in the collection that follows them; the carrier is never exported', async () => {
    const cumulative = new Reader();
    const delta = new Reader(AggregationTemporality.DELTA);
    const binding = cellBinding(new MeterProvider({ readers: [cumulative, delta] }));
    const A = Object.freeze({ k: 'a' });
    const { histogram } = binding.get();
    expect(histogram).toBeInstanceOf(CellHistogram);
    histogram.record(1, A);
    histogram.record(2, A);
    expect(await histogramPoints(cumulative)).toMatchObject({
      names: ['test.histogram'],
      values: [{ count: 2, sum: 3 }],
    });
    expect((await histogramPoints(delta)).values).toMatchObject([{ count: 2, sum: 3 }]);
    histogram.record(4, A);
    expect((await histogramPoints(delta)).values).toMatchObject([{ count: 1, sum: 4 }]);
    expect((await histogramPoints(cumulative)).values).toMatchObject([{ count: 3, sum: 7 }]);
    expect(CELLS_CARRIER).toBe('mltel.cells.carrier');
  });

  it("hands what is buffered to the old provider's histogram when the binding moves", async () => {
    const oldReader = new Reader();
    const old = new MeterProvider({ readers: [oldReader] });
    metrics.setGlobalMeterProvider(old);
    const binding = cellBinding();
    binding.get().histogram.record(5, Object.freeze({ k: 'a' }));
    metrics.disable();
    const newReader = new Reader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [newReader] }));
    binding.get().histogram.record(6, Object.freeze({ k: 'b' }));
    expect((await histogramPoints(oldReader)).values).toMatchObject([{ count: 1, sum: 5 }]);
    expect((await histogramPoints(newReader)).values).toMatchObject([{ count: 1, sum: 6 }]);
  });

  it('leaves a histogram it cannot hand over to (not an SDK one) as it is', () => {
    const { provider, calls } = countingProvider();
    const { histogram } = cellBinding(provider).get();
    expect(histogram).not.toBeInstanceOf(CellHistogram);
    histogram.record(1, Object.freeze({ k: 'a' }));
    expect(calls.record).toBe(1);
  });
});
