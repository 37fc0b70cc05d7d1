import { metrics } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusEndpoint } from './reader.js';
import { CompatPrometheusSerializer, SLICE_POINTS } from './serializer.js';

afterEach(() => metrics.disable());

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
