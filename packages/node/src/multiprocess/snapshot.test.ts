import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { sdkProvider } from '../../test/harness.js';
import { fromSnapshot, fromWireMetric, isSnapshot, toResourceMetrics, toSnapshot, toWireMetric } from './snapshot.js';
import type { WireMetric } from './snapshot.js';

async function collected() {
  const { reader, provider } = sdkProvider();
  const meter = provider.getMeter('scope-a', '1.2.3', { schemaUrl: 'https://example.test/schema' });
  meter.createCounter('ml.tasks', { unit: '{task}', description: 'tasks' }).add(2, { k: 'x' });
  meter.createUpDownCounter('ml.tasks.active').add(-1);
  meter.createGauge('ml.queue.size').record(7, { q: 'in' });
  const histogram = meter.createHistogram('ml.duration', { unit: 's', advice: { explicitBucketBoundaries: [1, 10] } });
  histogram.record(0.5, { k: 'x' });
  histogram.record(20, { k: 'x' });
  return (await reader.collect()).resourceMetrics;
}

function byName(rm: ResourceMetrics | ReturnType<typeof fromSnapshot>, name: string): MetricData {
  const scopes = Array.isArray(rm) ? rm : rm.scopeMetrics;
  for (const scope of scopes) for (const m of scope.metrics) if (m.descriptor.name === name) return m;
  throw new Error(`${name} not collected`);
}

describe('toSnapshot / fromSnapshot', () => {
  it('carry every point, its kind and the scope through JSON', async () => {
    const rm = await collected();
    const back = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(rm))));
    expect(back.map((s) => s.scope)).toEqual([
      { name: 'scope-a', version: '1.2.3', schemaUrl: 'https://example.test/schema' },
    ]);
    for (const name of ['ml.tasks', 'ml.tasks.active', 'ml.queue.size', 'ml.duration']) {
      const original = byName(rm, name);
      const wire = byName(back, name);
      expect(wire.descriptor).toEqual(original.descriptor);
      expect(wire.dataPointType).toBe(original.dataPointType);
      expect(wire.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
      expect(wire.dataPoints.map((p) => [p.attributes, p.value])).toEqual(
        original.dataPoints.map((p) => [p.attributes, p.value]),
      );
    }
    expect((byName(back, 'ml.tasks') as { isMonotonic?: boolean }).isMonotonic).toBe(true);
    expect((byName(back, 'ml.tasks.active') as { isMonotonic?: boolean }).isMonotonic).toBe(false);
    expect(byName(back, 'ml.duration').dataPoints[0]!.value).toEqual({
      buckets: { boundaries: [1, 10], counts: [1, 0, 1] },
      count: 2,
      sum: 20.5,
      min: 0.5,
      max: 20,
    });
  });

  it('keep the histogram boundaries once per metric', async () => {
    const wire = toSnapshot(await collected()).s[0]!.m.find((m) => m.d.name === 'ml.duration')!;
    expect(wire.b).toEqual([1, 10]);
    expect(wire.p).toEqual([[{ k: 'x' }, [2, 20.5, 0.5, 20, [1, 0, 1]]]]);
  });

  it('toResourceMetrics puts the snapshot under the resource given', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'svc' });
    const rm = toResourceMetrics(resource, toSnapshot(await collected()));
    expect(rm.resource).toBe(resource);
    expect(byName(rm, 'ml.queue.size').dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ q: 'in' }, 7]]);
  });
});

describe('toWireMetric / fromWireMetric', () => {
  const histogramPoint = (start: [number, number], end: [number, number], boundaries: number[], counts: number[]) => ({
    attributes: {},
    startTime: start,
    endTime: end,
    value: { buckets: { boundaries, counts }, count: counts.reduce((a, b) => a + b, 0), sum: 1 },
  });

  it('spans the earliest start and the latest end of the points; a point with other boundaries keeps its own', () => {
    const metric = {
      descriptor: { name: 'h', description: '', unit: '', type: 'HISTOGRAM', valueType: 1 },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [
        histogramPoint([5, 0], [9, 0], [1, 2], [1, 0, 0]),
        histogramPoint([3, 500], [9, 1], [1, 5], [0, 1, 0]),
      ],
    } as unknown as MetricData;
    const wire = toWireMetric(metric);
    expect([wire.st, wire.et]).toEqual([
      [3, 500],
      [9, 1],
    ]);
    expect(wire.b).toEqual([1, 2]);
    expect(wire.p.map(([, value]) => value)).toEqual([
      [1, 1, null, null, [1, 0, 0]],
      [1, 1, null, null, [0, 1, 0], [1, 5]],
    ]);
    const back = fromWireMetric(wire);
    expect(back.dataPoints.map((p) => p.value)).toEqual([
      { buckets: { boundaries: [1, 2], counts: [1, 0, 0] }, count: 1, sum: 1 },
      { buckets: { boundaries: [1, 5], counts: [0, 1, 0] }, count: 1, sum: 1 },
    ]);
    expect(back.dataPoints.every((p) => p.startTime === wire.st && p.endTime === wire.et)).toBe(true);
  });

  it('an empty metric has zero times and no points', () => {
    const wire: WireMetric = toWireMetric({
      descriptor: { name: 'g', description: '', unit: '', type: 'GAUGE', valueType: 1 },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: [],
    } as unknown as MetricData);
    expect([wire.st, wire.et, wire.p, wire.b, wire.mono]).toEqual([[0, 0], [0, 0], [], undefined, undefined]);
  });
});

describe('isSnapshot', () => {
  it('accepts version 1 with a scope list, and nothing else', () => {
    expect(isSnapshot({ v: 1, s: [] })).toBe(true);
    for (const value of [null, undefined, 1, 'x', [], { v: 2, s: [] }, { v: 1 }, { v: 1, s: {} }, { s: [] }]) {
      expect(isSnapshot(value)).toBe(false);
    }
  });
});
