import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { Exemplar } from '../exemplars/store.js';
import { MetricLines, openMetricsFamily } from './metric-lines.js';

const descriptor = { name: 'x', description: '', unit: 's', valueType: 1, type: 'HISTOGRAM' } as const;
const time: [number, number] = [0, 0];

function histogram(boundaries: number[], counts: number[], attributes = {}): MetricData {
  return {
    descriptor,
    aggregationTemporality: 1,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes,
        startTime: time,
        endTime: time,
        value: { buckets: { boundaries, counts }, count: counts.reduce((a, b) => a + b, 0), sum: 1.5 },
      },
    ],
  } as MetricData;
}

const exemplar = (value: number, timeMs: number, attributes = {}): Exemplar => ({
  value,
  attributes,
  traceId: 't'.repeat(32),
  spanId: 's'.repeat(16),
  timeMs,
});

describe('MetricLines', () => {
  it('writes a histogram in both formats: totals first in text, last in OpenMetrics; one +Inf bucket', () => {
    const lines = new MetricLines();
    const metadata = { help: 'h', unit: 's', type: 'histogram' };
    const metric = histogram([1, Number.POSITIVE_INFINITY], [1, 2, 0], { a: 'b' });
    const input = { metric, name: 'd_seconds', metadata, writeMetadata: true, additional: undefined } as const;
    expect(lines.write({ ...input, format: 'text' })).toBe(
      [
        '# HELP d_seconds h',
        '# UNIT d_seconds s',
        '# TYPE d_seconds histogram',
        'd_seconds_count{a="b"} 3',
        'd_seconds_sum{a="b"} 1.5',
        'd_seconds_bucket{a="b",le="1"} 1',
        'd_seconds_bucket{a="b",le="+Inf"} 3',
        '',
      ].join('\n'),
    );
    expect(lines.write({ ...input, format: 'openmetrics', unit: 'seconds', additional: { z: '1' } })).toBe(
      [
        '# TYPE d_seconds histogram',
        '# UNIT d_seconds seconds',
        '# HELP d_seconds h',
        'd_seconds_bucket{a="b",z="1",le="1"} 1',
        'd_seconds_bucket{a="b",z="1",le="+Inf"} 3',
        'd_seconds_count{a="b",z="1"} 3',
        'd_seconds_sum{a="b",z="1"} 1.5',
        '',
      ].join('\n'),
    );
  });

  it('puts the newest exemplar of each bucket on it, bounds inclusive, only on its own series', () => {
    const lines = new MetricLines();
    const metric = histogram([1, 5], [1, 1, 1], { a: 'b' });
    const exemplars = lines.exemplarsBySeries([
      exemplar(1, 1_000, { a: 'b' }),
      exemplar(0.5, 2_000, { a: 'b' }),
      exemplar(7, 3_000, { a: 'b' }),
      exemplar(3, 4_000, { a: 'other' }),
    ]);
    const text = lines.write({
      metric,
      name: 'd',
      metadata: { help: '', unit: '', type: 'histogram' },
      writeMetadata: false,
      format: 'openmetrics',
      additional: undefined,
      exemplars,
    });
    const ids = 'trace_id="tttttttttttttttttttttttttttttttt",span_id="ssssssssssssssss"';
    expect(text.split('\n').slice(0, 3)).toEqual([
      `d_bucket{a="b",le="1"} 1 # {${ids}} 0.5 2.000`,
      'd_bucket{a="b",le="5"} 2',
      `d_bucket{a="b",le="+Inf"} 3 # {${ids}} 7 3.000`,
    ]);
    expect(lines.exemplarsBySeries([])).toBeUndefined();
    expect(lines.exemplarsBySeries(undefined)).toBeUndefined();
  });

  it('writes the data points of a range only, and nothing for an unknown point type', () => {
    const lines = new MetricLines();
    const metric = {
      descriptor,
      aggregationTemporality: 1,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: [0, 1, 2, 3].map((value) => ({
        attributes: { i: String(value) },
        startTime: time,
        endTime: time,
        value,
      })),
    } as MetricData;
    const base = {
      name: 'c_total',
      metadata: { help: '', unit: '', type: 'counter' },
      writeMetadata: false,
      format: 'text',
      additional: undefined,
    } as const;
    expect(lines.write({ ...base, metric, from: 1, to: 3 })).toBe('c_total{i="1"} 1\nc_total{i="2"} 2\n');
    expect(
      lines.write({ ...base, metric: { ...metric, dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM } as MetricData }),
    ).toBe('');
  });

  it('names OpenMetrics families as the specification wants', () => {
    expect(openMetricsFamily('ml_tasks_total', 'counter')).toEqual({ family: 'ml_tasks', type: 'counter' });
    expect(openMetricsFamily('ml_queue_depth', 'gauge')).toEqual({ family: 'ml_queue_depth', type: 'gauge' });
    expect(openMetricsFamily('x', 'untyped')).toEqual({ family: 'x', type: 'unknown' });
  });
});
