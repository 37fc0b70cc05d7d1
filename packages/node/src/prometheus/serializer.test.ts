import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { toPrometheusName } from '@mltel/semconv';
import { afterEach, describe, expect, it } from 'vitest';
import { ExemplarStore } from '../exemplars/store.js';
import { createPrometheusEndpoint } from './reader.js';
import { CompatPrometheusSerializer, SLICE_POINTS } from './serializer.js';

afterEach(() => metrics.disable());

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} };

function setup() {
  const endpoint = createPrometheusEndpoint();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc' }),
    readers: [endpoint.reader],
  });
  const meter = provider.getMeter('test');
  return { endpoint, provider, meter };
}

describe('CompatPrometheusSerializer', () => {
  it('appends unit words, _total and _ratio as the OTel compatibility rules say', async () => {
    const { endpoint, meter } = setup();
    meter
      .createHistogram('ml.task.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } })
      .record(0.5, {
        'ml.task.name': 'embed',
      });
    meter.createCounter('ml.tasks', { unit: '{task}' }).add(3, { 'ml.task.name': 'embed' });
    meter.createCounter('ml.audio.duration', { unit: 's' }).add(12.5);
    meter.createUpDownCounter('hw.gpu.memory.usage', { unit: 'By' }).add(2048);
    meter.createGauge('ml.model.accuracy', { unit: '1' }).record(0.93, { 'ml.model.name': 'clf' });
    meter.createGauge('hw.fan.speed_ratio', { unit: '1' }).record(0.4);
    const text = (await endpoint.scrape())!;
    expect(text).toContain('# TYPE ml_task_duration_seconds histogram');
    expect(text).toContain('ml_task_duration_seconds_bucket{ml_task_name="embed",le="1"} 1');
    expect(text).toContain('ml_task_duration_seconds_count{ml_task_name="embed"} 1');
    expect(text).toContain('ml_tasks_total{ml_task_name="embed"} 3');
    expect(text).toContain('ml_audio_duration_seconds_total 12.5');
    expect(text).toContain('# TYPE hw_gpu_memory_usage_bytes gauge');
    expect(text).toContain('hw_gpu_memory_usage_bytes 2048');
    expect(text).toContain('ml_model_accuracy_ratio{ml_model_name="clf"} 0.93');
    expect(text).toContain('hw_fan_speed_ratio 0.4');
    expect(text).not.toContain('hw_fan_speed_ratio_ratio');
    expect(text).toContain('target_info{service_name="svc"} 1');
    // Scope labels are off so labels equal the OTLP path's.
    expect(text).not.toContain('otel_scope_name');
  });

  it('differs from the upstream serializer only in names', async () => {
    const { endpoint, meter } = setup();
    meter.createHistogram('ml.task.duration', { unit: 's' }).record(2, { 'ml.task.name': 'x' });
    const collected = await endpoint.reader.collect();
    const upstream = new PrometheusSerializer(undefined, false, undefined, false, true).serialize(
      collected.resourceMetrics,
    );
    const ours = new CompatPrometheusSerializer(undefined, false, undefined, false, true).serialize(
      collected.resourceMetrics,
    );
    expect(upstream).toContain('ml_task_duration_bucket');
    expect(ours).toBe(upstream.replaceAll('ml_task_duration', 'ml_task_duration_seconds'));
  });

  it('does not alter the collected data it is given', async () => {
    const { endpoint, meter } = setup();
    meter.createCounter('ml.tasks', { unit: '{task}' }).add(1);
    const collected = await endpoint.reader.collect();
    new CompatPrometheusSerializer().serialize(collected.resourceMetrics);
    expect(collected.resourceMetrics.scopeMetrics[0]!.metrics[0]!.descriptor.name).toBe('ml.tasks');
  });

  it('serializeSliced writes the same text as serialize, yielding to the event loop meanwhile', async () => {
    const { endpoint, meter, provider } = setup();
    const many = SLICE_POINTS * 3 + 7;
    const counter = meter.createCounter('ml.tasks', { unit: '{task}', description: 'tasks' });
    const gauge = meter.createGauge('ml.model.accuracy', { unit: '1' });
    const histogram = meter.createHistogram('ml.task.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [1] },
    });
    for (let i = 0; i < many; i++) {
      counter.add(i, { 'ml.task.name': `t${i}`, quote: 'a"b\\c\nd' });
      histogram.record(i % 3, { 'ml.task.name': `t${i % 400}` });
    }
    gauge.record(0.5);
    meter.createUpDownCounter('ml.empty', { unit: '1' });
    // Two meters with the same metric name: one family, its metadata written once.
    provider.getMeter('other').createCounter('ml.tasks', { unit: '{task}', description: 'tasks' }).add(1, { x: 'y' });
    const { resourceMetrics } = await endpoint.reader.collect();
    const serializer = new CompatPrometheusSerializer(undefined, false, undefined, false, true);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    const sliced = await serializer.serializeSliced(resourceMetrics, 0);
    clearInterval(ticking);
    expect(sliced).toBe(serializer.serialize(resourceMetrics));
    expect(sliced.split('\n').filter((line) => line.startsWith('ml_tasks_total{')).length).toBe(many + 1);
    expect(turns).toBeGreaterThan(0);
    const empty = await new CompatPrometheusSerializer(undefined, false, undefined, true, true).serializeSliced({
      resource: resourceMetrics.resource,
      scopeMetrics: [],
    });
    expect(empty).toBe('# no registered metrics');
  });
});

/** The collected metrics with the compatibility names, for upstream to serialize as a reference. */
function renamedForUpstream(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: resourceMetrics.resource,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map((metric) => {
        const type =
          metric.dataPointType === DataPointType.HISTOGRAM
            ? 'histogram'
            : metric.dataPointType === DataPointType.SUM && metric.isMonotonic
              ? 'counter'
              : 'gauge';
        const name = toPrometheusName(metric.descriptor.name, metric.descriptor.unit, type);
        return { ...metric, descriptor: { ...metric.descriptor, name } } as MetricData;
      }),
    })),
  };
}

function everyKind() {
  const { endpoint, meter, provider } = setup();
  const awkward = { 'a.b-c': 'x"y\\z\nw', n: 3, ok: true, list: ['p', 'q'], d__e: '' };
  meter.createCounter('ml.tasks', { unit: '{task}', description: 'tasks "done"\\ok\nnext' }).add(3, awkward);
  meter.createCounter('ml.tasks', { unit: '{task}' }).add(1);
  meter.createCounter('ml.audio.duration', { unit: 's' }).add(12.5, { 'ml.task.name': 'asr' });
  meter.createUpDownCounter('hw.gpu.memory.usage', { unit: 'By' }).add(-2048, { gpu: '0' });
  meter.createGauge('ml.model.accuracy', { unit: '1' }).record(0.1 + 0.2, { 'ml.model.name': 'clf' });
  meter.createGauge('ml.big').record(Number.POSITIVE_INFINITY);
  meter.createGauge('ml.small').record(1e-7);
  const histogram = meter.createHistogram('ml.task.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.1, 1, 2.5] },
  });
  for (const value of [0, 0.004, 0.5, 3, 7]) histogram.record(value, { 'ml.task.name': 'embed' });
  histogram.record(0.2);
  meter.createHistogram('ml.latency', { unit: 'ms' }).record(5);
  provider.getMeter('other', '1.2.3').createCounter('ml.tasks', { unit: '{task}' }).add(2, { x: 'y' });
  return endpoint;
}

describe('CompatPrometheusSerializer, text format', () => {
  it('writes every kind of metric byte for byte as the upstream serializer does', async () => {
    const endpoint = everyKind();
    const { resourceMetrics } = await endpoint.reader.collect();
    for (const [timestamps, constantLabels, withoutScopeInfo] of [
      [false, undefined, true],
      [false, /service/, false],
    ] as const) {
      const upstream = new PrometheusSerializer(undefined, timestamps, constantLabels, false, withoutScopeInfo);
      const ours = new CompatPrometheusSerializer(undefined, timestamps, constantLabels, false, withoutScopeInfo);
      const expected = upstream.serialize(renamedForUpstream(resourceMetrics));
      expect(ours.serialize(resourceMetrics)).toBe(expected);
      expect(await ours.serializeSliced(resourceMetrics, 0)).toBe(expected);
    }
    const text = await endpoint.scrape();
    expect(text).toContain('ml_tasks_total{a_b_c="x\\"y\\\\z\\nw",n="3",ok="true",list="[\\"p\\",\\"q\\"]",d_e=""} 3');
    expect(text).toContain('ml_big +Inf');
    expect(text).toContain('ml_small 1e-7');
  });
});

describe('CompatPrometheusSerializer, OpenMetrics 1.0', () => {
  it('names counter families without _total, writes UNIT, buckets before _count and ends with # EOF', async () => {
    const text = await everyKind().scrape('openmetrics');
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('# EOF');
    expect(text.match(/^# EOF$/gm)).toHaveLength(1);
    expect(text).toContain('# TYPE target info\n# HELP target Target metadata\ntarget_info{service_name="svc"');
    expect(text).toContain('# TYPE ml_tasks counter\n# HELP ml_tasks tasks \\"done\\"\\\\ok\\nnext\n');
    expect(text).toContain('ml_tasks_total{x="y"} 2\n');
    expect(text).not.toMatch(/^# (TYPE|HELP|UNIT) \S+_total /m);
    expect(text).toContain('# TYPE ml_audio_duration_seconds counter\n# UNIT ml_audio_duration_seconds seconds\n');
    expect(text).toContain('ml_audio_duration_seconds_total{ml_task_name="asr"} 12.5');
    expect(text).toContain('# TYPE hw_gpu_memory_usage_bytes gauge\n# UNIT hw_gpu_memory_usage_bytes bytes\n');
    expect(text).toContain('# UNIT ml_model_accuracy_ratio ratio\n');
    expect(text).toContain('# TYPE ml_latency_milliseconds histogram\n# UNIT ml_latency_milliseconds milliseconds\n');
    expect(text).toContain(
      [
        'ml_task_duration_seconds_bucket{ml_task_name="embed",le="0.005"} 2',
        'ml_task_duration_seconds_bucket{ml_task_name="embed",le="0.1"} 2',
        'ml_task_duration_seconds_bucket{ml_task_name="embed",le="1"} 3',
        'ml_task_duration_seconds_bucket{ml_task_name="embed",le="2.5"} 3',
        'ml_task_duration_seconds_bucket{ml_task_name="embed",le="+Inf"} 5',
        'ml_task_duration_seconds_count{ml_task_name="embed"} 5',
        'ml_task_duration_seconds_sum{ml_task_name="embed"} 10.504',
      ].join('\n'),
    );
    // The same series as the text format: only metadata lines and # EOF differ.
    const samples = (body: string) => body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const plain = await everyKind().scrape();
    expect(samples(text).sort()).toEqual(samples(plain).sort());
  });

  it('leaves out a family whose OpenMetrics name another one has (counter x_total, gauge x), once warned', async () => {
    const { endpoint, meter } = setup();
    meter.createCounter('jobs').add(2);
    meter.createGauge('jobs').record(5);
    const warnings: string[] = [];
    diag.setLogger({ ...silent, warn: (message: string) => void warnings.push(message) }, DiagLogLevel.WARN);
    try {
      const text = await endpoint.scrape('openmetrics');
      await endpoint.scrape('openmetrics');
      expect(text).toContain('jobs_total 2');
      expect(text).not.toMatch(/^jobs 5$/m);
      expect(text.match(/^# TYPE jobs /gm)).toHaveLength(1);
      expect(warnings.filter((w) => w.includes('leave out "jobs"'))).toHaveLength(1);
      expect(await endpoint.scrape()).toMatch(/^jobs 5$/m);
    } finally {
      diag.disable();
    }
  });

  it('puts the newest exemplar of a bucket on that bucket of its series, in OpenMetrics only', async () => {
    const { endpoint, meter } = setup();
    const store = new ExemplarStore();
    const histogram = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    const get = { 'http.request.method': 'GET' };
    const post = { 'http.request.method': 'POST' };
    histogram.record(0.05, get);
    histogram.record(0.5, get);
    histogram.record(3, post);
    store.offer('http.server.request.duration', 0.5, get, 'a'.repeat(32), 'b'.repeat(16));
    store.offer('http.server.request.duration', 3, post, 'c'.repeat(32), 'd'.repeat(16));
    // A series the metric does not have: written nowhere.
    store.offer('http.server.request.duration', 0.05, { 'http.request.method': 'PUT' }, 'e'.repeat(32), 'f'.repeat(16));
    const { resourceMetrics } = await endpoint.reader.collect();
    const serializer = new CompatPrometheusSerializer(undefined, false, undefined, false, true);
    const text = await serializer.serializeSliced(resourceMetrics, { format: 'openmetrics', exemplars: store });
    const withExemplar = text.split('\n').filter((line) => line.includes(' # {'));
    expect(withExemplar).toHaveLength(2);
    expect(withExemplar[0]).toMatch(
      /^http_server_request_duration_seconds_bucket\{http_request_method="GET",le="1"\} 2 # \{trace_id="a{32}",span_id="b{16}"\} 0\.5 \d+\.\d{3}$/,
    );
    expect(withExemplar[1]).toMatch(
      /^http_server_request_duration_seconds_bucket\{http_request_method="POST",le="\+Inf"\} 1 # \{trace_id="c{32}",span_id="d{16}"\} 3 /,
    );
    const plain = await serializer.serializeSliced(resourceMetrics, { format: 'text', exemplars: store });
    expect(plain).not.toContain('trace_id');
  });
});
