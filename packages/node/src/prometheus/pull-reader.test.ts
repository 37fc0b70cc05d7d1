import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { InstrumentType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PullReader } from './pull-reader.js';

describe('PullReader', () => {
  it('selects what the upstream PrometheusExporter selects, for every instrument type', () => {
    const reader = new PullReader();
    const upstream = new PrometheusExporter({ preventServerStart: true });
    for (const type of Object.values(InstrumentType)) {
      expect(reader.selectAggregationTemporality(type), type).toBe(upstream.selectAggregationTemporality(type));
      expect(reader.selectAggregation(type), type).toEqual(upstream.selectAggregation(type));
    }
  });

  it('collects cumulative data from its provider on demand, and shuts down', async () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('test').createCounter('c');
    counter.add(2);
    await reader.collect();
    counter.add(3);
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const point = resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints[0];
    expect(point?.value).toBe(5);
    await expect(provider.shutdown()).resolves.toBeUndefined();
  });
});
