import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METRICS, metricDefinition } from './catalog.js';
import { prometheusTypeOf, toPrometheusLabel, toPrometheusName } from './prometheus-name.js';
import { renderMetricsTable } from './table.js';

const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const spec = readFileSync(repo('docs/spec/METRICS.md'), 'utf8');

describe('the catalog', () => {
  it('gives every instrument a Prometheus name that follows the OTel compatibility rules', () => {
    for (const m of METRICS) {
      expect(toPrometheusName(m.name, m.unit, prometheusTypeOf(m.kind)), m.name).toBe(m.prometheusName);
    }
  });

  it('has unique names', () => {
    expect(new Set(METRICS.map((m) => m.name)).size).toBe(METRICS.length);
    expect(new Set(METRICS.map((m) => m.prometheusName)).size).toBe(METRICS.length);
  });

  it('covers every instrument the spec names', () => {
    const named = new Set<string>();
    for (const line of spec.split('\n')) {
      if (!line.startsWith('|')) continue;
      const instrumentCell = line.split('|')[2] ?? '';
      for (const match of instrumentCell.matchAll(/`((?:ml|gen_ai|hw)\.[a-z_.]+)`/g)) named.add(match[1]!);
    }
    for (const match of spec.matchAll(/`(hw\.[a-z_.]+)`/g)) {
      if (
        !['hw.id', 'hw.name', 'hw.model', 'hw.vendor', 'hw.driver_version', 'hw.gpu.task', 'hw.gpu.'].includes(
          match[1]!,
        )
      )
        named.add(match[1]!);
    }
    named.delete('gen_ai.operation.name');
    expect(named.size).toBeGreaterThan(30);
    for (const name of named) {
      if (name.startsWith('gen_ai.client.operation.time_')) continue;
      expect(metricDefinition(name), `${name} from the spec`).toBeDefined();
    }
    expect(metricDefinition('gen_ai.client.operation.time_to_first_chunk')).toBeDefined();
    expect(metricDefinition('gen_ai.client.operation.time_per_output_chunk')).toBeDefined();
  });

  it('uses the Prometheus names the spec decided', () => {
    for (const line of spec.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const instrument = /^`([a-z_.]+)`/.exec(cells[2] ?? '')?.[1];
      const prom = /^`([a-z_]+)`$/.exec(cells[5] ?? '')?.[1];
      if (instrument === undefined || prom === undefined) continue;
      expect(metricDefinition(instrument)?.prometheusName, instrument).toBe(prom);
    }
  });

  it('gives histograms of seconds seconds-scale bucket advice', () => {
    for (const m of METRICS.filter((d) => d.kind === 'Histogram' && d.unit === 's')) {
      expect(m.buckets, m.name).toBeDefined();
      expect(Math.min(...m.buckets!), m.name).toBeLessThan(0.05);
      expect(Math.max(...m.buckets!), m.name).toBeLessThanOrEqual(600);
      expect(
        [...m.buckets!].sort((a, b) => a - b),
        m.name,
      ).toEqual([...m.buckets!]);
    }
  });

  it('keeps unbounded attributes out', () => {
    const forbidden = /prompt|user|request\.id|api|key|message|text|pid/;
    for (const m of METRICS) for (const a of m.attributes) expect(a, `${m.name}: ${a}`).not.toMatch(forbidden);
  });
});

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

describe('docs/metrics.md', () => {
  it('holds the current generated table (run `pnpm docs:metrics` when this fails)', () => {
    const doc = readFileSync(repo('docs/metrics.md'), 'utf8');
    const begin = doc.indexOf('<!-- BEGIN GENERATED');
    const end = doc.indexOf('<!-- END GENERATED -->');
    const generated = doc.slice(doc.indexOf('\n', begin) + 1, end).trim();
    expect(generated).toBe(renderMetricsTable().trim());
  });
});
