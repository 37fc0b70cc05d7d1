import { context, ROOT_CONTEXT, trace, TraceFlags, ValueType } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CellHistogram, MeterCells, ProviderBinding } from '@mltel/kit';
import { DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { sdkProvider } from '../../test/harness.js';
import { captureExemplars } from './capture.js';
import { ExemplarStore } from './store.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const spanContext = (traceFlags: number) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags });

describe('captureExemplars', () => {
  it('keeps an exemplar for a histogram value recorded while a sampled span is active, and the SDK still records it', async () => {
    const { provider, reader } = sdkProvider();
    const store = new ExemplarStore();
    captureExemplars(provider, store);
    captureExemplars(provider, store);
    const meter = provider.getMeter('app');
    expect(provider.getMeter('app')).toBe(meter);
    const histogram = meter.createHistogram('http.server.request.duration', { unit: 's' });
    histogram.record(0.25, { route: '/a' }, spanContext(TraceFlags.SAMPLED));
    histogram.record(3, { route: '/a' }, spanContext(TraceFlags.NONE));
    histogram.record(4, { route: '/a' });
    histogram.record(-1, { route: '/a' }, spanContext(TraceFlags.SAMPLED));
    meter.createCounter('ml.tasks').add(1, {}, spanContext(TraceFlags.SAMPLED));
    expect(store.exemplars('http.server.request.duration')).toEqual([
      expect.objectContaining({ value: 0.25, attributes: { route: '/a' }, traceId: TRACE, spanId: SPAN }),
    ]);
    expect(store.exemplars('ml.tasks')).toBeUndefined();
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics[0]!.metrics.find(
      (m) => m.descriptor.name === 'http.server.request.duration',
    )!;
    expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect((metric.dataPoints[0]!.value as Histogram).count).toBe(3);
  });

  it('keeps the exemplar of an integer histogram without the fraction the SDK drops', () => {
    const { provider } = sdkProvider();
    const store = new ExemplarStore();
    captureExemplars(provider, store);
    const histogram = provider.getMeter('app').createHistogram('ml.tokens', { valueType: ValueType.INT });
    histogram.record(2.7, {}, spanContext(TraceFlags.SAMPLED));
    expect(store.exemplars('ml.tokens')?.map((e) => e.value)).toEqual([2]);
  });

  it('patches only the provider it is given', () => {
    const store = new ExemplarStore();
    const other = new MeterProvider();
    captureExemplars(sdkProvider().provider, store);
    other.getMeter('x').createHistogram('h').record(1, {}, spanContext(TraceFlags.SAMPLED));
    expect(store.exemplars('h')).toBeUndefined();
  });

  it("keeps the exemplars of mltel's own histograms, whose values kit's cells buffer, in the context of each record", async () => {
    const { provider, reader } = sdkProvider();
    const store = new ExemplarStore();
    captureExemplars(provider, store);
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const binding = new ProviderBinding(
        'cells',
        (meter, callbacks) =>
          MeterCells.withCarrier(meter, callbacks).histogram(meter.createHistogram('ml.task.duration')),
        { meterProvider: provider },
      );
      const histogram = binding.get();
      expect(histogram).toBeInstanceOf(CellHistogram);
      const set = Object.freeze({ 'ml.task.name': 'embed' });
      context.with(spanContext(TraceFlags.SAMPLED), () => histogram.record(0.25, set));
      histogram.record(4, set);
      expect(store.exemplars('ml.task.duration')).toEqual([
        expect.objectContaining({ value: 0.25, attributes: set, traceId: TRACE, spanId: SPAN }),
      ]);
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'ml.task.duration')!;
      expect((metric.dataPoints[0]!.value as Histogram).count).toBe(2);
    } finally {
      context.disable();
      manager.disable();
    }
  });
});
