import { createNoopMeter, ValueType } from '@opentelemetry/api';
import type { Attributes, Histogram } from '@opentelemetry/api';
import {
  AggregationTemporality,
  AggregationType,
  createAllowListAttributesProcessor,
  createDenyListAttributesProcessor,
  DataPointType,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { batchRecorder, isIntegerHistogram } from './histogram-handover.js';

class Reader extends MetricReader {
  constructor(temporality = AggregationTemporality.CUMULATIVE, limit?: number) {
    super({
      aggregationTemporalitySelector: () => temporality,
      ...(limit === undefined ? {} : { cardinalitySelector: () => limit }),
    });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Two histograms of one name on two providers with the same views: one recorded as usual. */
function twin(options: { views?: ViewOptions[]; readers?: () => MetricReader[] } = {}) {
  const make = () => {
    const readers = options.readers?.() ?? [new Reader()];
    const provider = new MeterProvider({ readers, views: options.views });
    const histogram = provider
      .getMeter('m')
      .createHistogram('h', { unit: 's', advice: { explicitBucketBoundaries: [1, 10, 100] } });
    return { readers, histogram };
  };
  return { direct: make(), batched: make() };
}

/** What every reader of a pair collects, with times left out. */
async function points(readers: MetricReader[]) {
  const out = [];
  for (const reader of readers) {
    const { resourceMetrics } = await reader.collect();
    out.push(
      resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.map((metric) => ({
          name: metric.descriptor.name,
          type: metric.dataPointType,
          temporality: metric.aggregationTemporality,
          points: metric.dataPoints
            .map((p) => ({ attributes: p.attributes, value: p.value }))
            .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
        })),
      ),
    );
  }
  return out;
}

const A: Attributes = Object.freeze({ model: 'a' });
const B: Attributes = Object.freeze({ model: 'b' });
const VALUES = [0.5, 3, 3, 42, 250, 0, 7.25, 1e6];

function feed(
  { direct, batched }: ReturnType<typeof twin>,
  values: number[],
  attributes: Attributes,
  batch = batchRecorder(batched.histogram)!,
) {
  for (const value of values) direct.histogram.record(value, attributes);
  batch(attributes, Float64Array.from(values), values.length);
}

describe('batchRecorder', () => {
  it('records a batch exactly as the same values recorded one by one (cumulative, across collections)', async () => {
    const pair = twin();
    expect(batchRecorder(pair.batched.histogram)).toBeTypeOf('function');
    feed(pair, VALUES, A);
    feed(pair, VALUES.slice(0, 3), B);
    const first = await points(pair.batched.readers);
    expect(first).toEqual(await points(pair.direct.readers));
    expect(first[0]![0]!.type).toBe(DataPointType.HISTOGRAM);
    expect(first[0]![0]!.points[0]!.value).toMatchObject({ count: 8, sum: 1000305.75, min: 0, max: 1e6 });
    // The next interval: the SDK has a new active storage, the series its cumulative history.
    feed(pair, [2, 20], A);
    const second = await points(pair.batched.readers);
    expect(second).toEqual(await points(pair.direct.readers));
    expect((second[0]![0]!.points[0]!.value as { count: number }).count).toBe(10);
  });

  it('serves every reader of the provider, delta and cumulative, and views with other aggregations', async () => {
    const pair = twin({
      readers: () => [new Reader(AggregationTemporality.DELTA), new Reader()],
      views: [
        { instrumentName: 'h', name: 'h.explicit' },
        { instrumentName: 'h', name: 'h.exponential', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      ],
    });
    feed(pair, VALUES, A);
    const collected = await points(pair.batched.readers);
    expect(collected).toEqual(await points(pair.direct.readers));
    expect(collected[0]!.map((m) => [m.name, m.type, m.temporality])).toEqual([
      ['h.explicit', DataPointType.HISTOGRAM, AggregationTemporality.DELTA],
      ['h.exponential', DataPointType.EXPONENTIAL_HISTOGRAM, AggregationTemporality.DELTA],
    ]);
    feed(pair, [5], A);
    const delta = await points(pair.batched.readers);
    expect(delta).toEqual(await points(pair.direct.readers));
    expect((delta[0]![0]!.points[0]!.value as { count: number }).count).toBe(1);
    expect((delta[1]![0]!.points[0]!.value as { count: number }).count).toBe(9);
  });

  it('puts series past the cardinality limit in the SDK overflow series, as record() does', async () => {
    const pair = twin({ readers: () => [new Reader(AggregationTemporality.CUMULATIVE, 2)] });
    const batch = batchRecorder(pair.batched.histogram)!;
    for (const model of ['a', 'b', 'c', 'd']) feed(pair, [1, 2, 3], Object.freeze({ model }), batch);
    const collected = await points(pair.batched.readers);
    expect(collected).toEqual(await points(pair.direct.readers));
    expect(collected[0]![0]!.points.map((p) => p.attributes)).toContainEqual({ 'otel.metric.overflow': true });
  });

  it("applies a view's own attribute filter once per batch, as record() applies it per value", async () => {
    const pair = twin({
      views: [
        { instrumentName: 'h', name: 'h.kept', attributesProcessors: [createAllowListAttributesProcessor(['model'])] },
        {
          instrumentName: 'h',
          name: 'h.dropped',
          attributesProcessors: [createDenyListAttributesProcessor(['model'])],
        },
      ],
    });
    feed(pair, VALUES, Object.freeze({ model: 'a', extra: 'x' }));
    const collected = await points(pair.batched.readers);
    expect(collected).toEqual(await points(pair.direct.readers));
    expect(collected[0]!.map((m) => m.points.map((p) => p.attributes))).toEqual([[{ model: 'a' }], [{ extra: 'x' }]]);
  });

  it('recognises no storage it cannot hand over to: a processor of its own, a no-op, another shape', () => {
    const provider = new MeterProvider({
      readers: [new Reader()],
      views: [{ instrumentName: 'h', attributesProcessors: [{ process: (a: Attributes) => a }] }],
    });
    expect(batchRecorder(provider.getMeter('m').createHistogram('h'))).toBeUndefined();
    expect(batchRecorder(createNoopMeter().createHistogram('h'))).toBeUndefined();
    expect(batchRecorder({ record() {} })).toBeUndefined();
    const hostile = new Proxy({} as Histogram, {
      get() {
        throw new Error('boom');
      },
    });
    expect(batchRecorder(hostile)).toBeUndefined();
  });

  it('tells an integer histogram, whose values the SDK truncates', () => {
    const meter = new MeterProvider({ readers: [new Reader()] }).getMeter('m');
    expect(isIntegerHistogram(meter.createHistogram('i', { valueType: ValueType.INT }))).toBe(true);
    expect(isIntegerHistogram(meter.createHistogram('d'))).toBe(false);
    expect(isIntegerHistogram({ record() {} })).toBe(false);
  });
});
