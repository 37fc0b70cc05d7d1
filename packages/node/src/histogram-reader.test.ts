import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { bucketViews } from './config/views.js';
import type { HistogramAggregation } from './config/types.js';
import { HistogramAggregationReader } from './histogram-reader.js';

async function export1(histogramAggregation: HistogramAggregation, views = bucketViews({})) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new HistogramAggregationReader({ exporter, exportIntervalMillis: 3_600_000, histogramAggregation });
  const provider = new MeterProvider({ readers: [reader], views });
  const meter = provider.getMeter('t');
  const h = meter.createHistogram('ml.task.duration', { advice: { explicitBucketBoundaries: [1, 2] } });
  for (const v of [0.5, 1.5, 100]) h.record(v);
  meter.createCounter('ml.tasks').add(3);
  await provider.forceFlush();
  const metrics = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  await provider.shutdown();
  const type = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPointType;
  return { histogram: type('ml.task.duration'), counter: type('ml.tasks'), metrics };
}

describe('HistogramAggregationReader', () => {
  it('base2_exponential_bucket_histogram: histograms are exported exponential, counters stay sums', async () => {
    const { histogram, counter, metrics } = await export1('base2_exponential_bucket_histogram');
    expect(histogram).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    expect(counter).toBe(DataPointType.SUM);
    const point = metrics.find((m) => m.descriptor.name === 'ml.task.duration')?.dataPoints[0];
    expect((point?.value as { count: number } | undefined)?.count).toBe(3);
  });

  it('explicit_bucket_histogram keeps the advised buckets', async () => {
    const { histogram, metrics } = await export1('explicit_bucket_histogram');
    expect(histogram).toBe(DataPointType.HISTOGRAM);
    const point = metrics.find((m) => m.descriptor.name === 'ml.task.duration')?.dataPoints[0];
    expect((point?.value as { buckets: unknown } | undefined)?.buckets).toEqual({
      boundaries: [1, 2],
      counts: [1, 1, 1],
    });
  });

  it('a bucket view wins over the exponential default', async () => {
    const { histogram } = await export1(
      'base2_exponential_bucket_histogram',
      bucketViews({ 'ml.task.duration': [0.6] }),
    );
    expect(histogram).toBe(DataPointType.HISTOGRAM);
  });
});
