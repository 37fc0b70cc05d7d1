import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METRICS, metricDefinition } from './catalog.js';
import { prometheusTypeOf, toPrometheusName } from './prometheus-name.js';

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
