import { describe, expect, it } from 'vitest';
import { prometheusTypeOf, toPrometheusLabel, toPrometheusName } from './prometheus-name.js';

describe('toPrometheusName', () => {
  it.each([
    ['ml.task.duration', 's', 'histogram', 'ml_task_duration_seconds'],
    ['ml.tasks', '{task}', 'counter', 'ml_tasks_total'],
    ['ml.audio.duration', 's', 'counter', 'ml_audio_duration_seconds_total'],
    ['ml.model.accuracy', '1', 'gauge', 'ml_model_accuracy_ratio'],
    ['hw.fan.speed_ratio', '1', 'gauge', 'hw_fan_speed_ratio'],
    ['system.network.io', 'By', 'counter', 'system_network_io_bytes_total'],
    ['http.server.request.size', 'By/s', 'gauge', 'http_server_request_size_bytes_per_second'],
    ['x.total.count', '', 'counter', 'x_count_total'],
    ['process.memory.usage', 'By', 'gauge', 'process_memory_usage_bytes'],
    ['db.duration.seconds', 's', 'histogram', 'db_duration_seconds'],
    ['ratio.of.things', '1', 'histogram', 'ratio_of_things'],
    ['2xx.responses', '', 'counter', '_2xx_responses_total'],
    ['weird-name..with::chars', 'ms', 'gauge', 'weird_name_with_chars_milliseconds'],
  ] as const)('%s (%s, %s) -> %s', (name, unit, type, expected) => {
    expect(toPrometheusName(name, unit, type)).toBe(expected);
  });

  it('maps attribute keys to labels', () => {
    expect(toPrometheusLabel('ml.task.name')).toBe('ml_task_name');
    expect(toPrometheusLabel('9lives')).toBe('key_9lives');
  });
});

describe('prometheusTypeOf', () => {
  it.each([
    ['Counter', 'counter'],
    ['ObservableCounter', 'counter'],
    ['Histogram', 'histogram'],
    ['Gauge', 'gauge'],
    ['ObservableGauge', 'gauge'],
  ] as const)('%s -> %s', (kind, expected) => {
    expect(prometheusTypeOf(kind)).toBe(expected);
  });
});
