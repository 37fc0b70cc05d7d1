import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram, ViewOptions } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { bucketViews, combineViews, parseHistogramBuckets, validateHistogramBuckets } from './views.js';
import type { ConfigProblem, HistogramBuckets } from './types.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function parse(raw: string | undefined) {
  const problems: ConfigProblem[] = [];
  return { value: parseHistogramBuckets(raw, 'MLTEL_HISTOGRAM_BUCKETS', problems), problems };
}

/** Records `values` on histogram `name` (advised buckets 1, 2, 3) through `views`; its boundaries and counts. */
async function histogram(views: ViewOptions[], name: string, values: number[]) {
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader], views });
  const meter = provider.getMeter('t');
  const h = meter.createHistogram(name, { advice: { explicitBucketBoundaries: [1, 2, 3] } });
  for (const v of values) h.record(v);
  meter.createCounter('ml.tasks').add(1);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  const metric = metrics.find((m) => m.descriptor.name === name);
  expect(metric?.dataPointType).toBe(DataPointType.HISTOGRAM);
  const value = metric?.dataPoints[0]?.value as Histogram;
  return {
    buckets: value.buckets,
    counterType: metrics.find((m) => m.descriptor.name === 'ml.tasks')?.dataPointType,
  };
}

describe('MLTEL_HISTOGRAM_BUCKETS', () => {
  it('reads instrument=boundaries entries separated by ";"', () => {
    expect(parse(' ml.task.duration = 0.075, 0.75,7.5 ; gen_ai.client.operation.duration=0.6;')).toEqual({
      value: { 'ml.task.duration': [0.075, 0.75, 7.5], 'gen_ai.client.operation.duration': [0.6] },
      problems: [],
    });
    expect(parse(undefined)).toEqual({ value: {}, problems: [] });
    expect(parse('http.*.duration=0.1,1').value).toEqual({ 'http.*.duration': [0.1, 1] });
  });

  it.each([
    ['ml.task.duration 0.1,1', 'has no "="'],
    ['=0.1,1', 'is not an instrument name'],
    ['ml.task.duration=', 'ml.task.duration has no boundaries'],
    ['ml.task.duration=0.1,,1', 'has a boundary that is not a finite number'],
    ['ml.task.duration=0.1,1s', 'has a boundary that is not a finite number'],
    ['ml.task.duration=1,0.1', 'boundaries do not increase strictly'],
    ['ml.task.duration=1,1', 'boundaries do not increase strictly'],
    ['ml_task_duration_seconds=0.1,1', 'is a Prometheus name; views select the instrument name ml.task.duration'],
    ['ml.tasks=1,2', 'ml.tasks is a Counter, not a Histogram'],
  ])('refuses %j (%s), naming the setting and the fix; the other entries stay', (entry, why) => {
    const { value, problems } = parse(`${entry};ml.pipeline.duration=0.6`);
    expect(value).toEqual({ 'ml.pipeline.duration': [0.6] });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.setting).toBe('MLTEL_HISTOGRAM_BUCKETS');
    expect(problems[0]?.message).toContain(why);
    expect(problems[0]?.message).toContain('Fix:');
    expect(problems[0]?.message).toContain('ml.task.duration=0.075,0.75,7.5');
  });

  it('validates the option the same way, under its own name', () => {
    const problems: ConfigProblem[] = [];
    const buckets: HistogramBuckets = { 'ml.task.duration': [0.6], 'ml.pipeline.duration': [Number.NaN] };
    expect(validateHistogramBuckets(buckets, 'histogramBuckets', problems)).toEqual({ 'ml.task.duration': [0.6] });
    expect(problems.map((p) => p.setting)).toEqual(['histogramBuckets']);
  });
});

describe('bucketViews on a real MeterProvider', () => {
  it('give the named histogram its boundaries over the advised ones', async () => {
    const { buckets } = await histogram(
      bucketViews({ 'ml.task.duration': [0.075, 0.75, 7.5] }),
      'ml.task.duration',
      [0.05, 0.5, 0.6, 5, 50],
    );
    expect(buckets).toEqual({ boundaries: [0.075, 0.75, 7.5], counts: [1, 2, 1, 1] });
  });

  it('leave other histograms their advised buckets', async () => {
    const { buckets } = await histogram(bucketViews({ 'ml.task.duration': [0.6] }), 'ml.pipeline.duration', [0.5]);
    expect(buckets.boundaries).toEqual([1, 2, 3]);
  });

  it('a wildcard selects histograms only: a counter stays a sum', async () => {
    const { buckets, counterType } = await histogram(bucketViews({ 'ml.*': [0.6] }), 'ml.task.duration', [0.5, 1]);
    expect(buckets).toEqual({ boundaries: [0.6], counts: [1, 1] });
    expect(counterType).toBe(DataPointType.SUM);
  });

  it('combineViews: a bucketed instrument keeps the description a built-in view unified, in one stream per meter', async () => {
    const builtIn: ViewOptions[] = [
      {
        meterName: 'undici',
        instrumentName: 'http.client.request.duration',
        description: 'Duration of HTTP client requests.',
      },
      { instrumentName: 'other', description: 'kept' },
    ];
    const views = combineViews(builtIn, { 'http.client.request.duration': [0.6] }, []);
    expect(views.map((v) => [v.instrumentName, v.meterName, v.description])).toEqual([
      ['other', undefined, 'kept'],
      ['http.client.request.duration', undefined, 'Duration of HTTP client requests.'],
    ]);
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader], views });
    provider.getMeter('undici').createHistogram('http.client.request.duration', { description: 'undici' }).record(0.5);
    provider.getMeter('http').createHistogram('http.client.request.duration', { description: 'http' }).record(1);
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    const streams = resourceMetrics.scopeMetrics.map((scope) =>
      scope.metrics.map((m) => [
        scope.scope.name,
        m.descriptor.description,
        (m.dataPoints[0]?.value as Histogram | undefined)?.buckets,
      ]),
    );
    expect(streams).toEqual([
      [['undici', 'Duration of HTTP client requests.', { boundaries: [0.6], counts: [1, 0] }]],
      [['http', 'Duration of HTTP client requests.', { boundaries: [0.6], counts: [0, 1] }]],
    ]);
  });

  it("combineViews: an application view of a built-in view's instrument replaces it", () => {
    const views = combineViews([{ instrumentName: 'x', description: 'built-in' }], {}, [
      { instrumentName: 'x', name: 'y' },
    ]);
    expect(views).toEqual([{ instrumentName: 'x', name: 'y' }]);
  });
});
