import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { HOST_METRICS, toPrometheusName, prometheusTypeOf } from '@mltel/semconv';
import type { MetricDefinition } from '@mltel/semconv';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_METRIC_GROUPS } from './config/host-metrics.js';
import { hostMetricGroupsFor, startHostMetrics } from './host-metrics.js';

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  metrics.disable();
});

async function collected(
  setting: Parameters<typeof startHostMetrics>[0],
  place: Parameters<typeof startHostMetrics>[2],
): Promise<{ started: boolean; metrics: MetricData[] }> {
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader] });
  const instrumentation = startHostMetrics(setting, provider, place);
  stops.push(
    () => instrumentation?.disable(),
    () => provider.shutdown(),
  );
  const { resourceMetrics } = await reader.collect();
  return { started: instrumentation !== undefined, metrics: resourceMetrics.scopeMetrics.flatMap((s) => s.metrics) };
}

const PRIMARY = { mainThread: true, clusterWorker: false };
const WORKER = { mainThread: true, clusterWorker: true };
const THREAD = { mainThread: false, clusterWorker: false };

function kindOf(metric: MetricData): MetricDefinition['kind'] {
  if (metric.dataPointType === DataPointType.SUM)
    return metric.isMonotonic ? 'ObservableCounter' : 'ObservableUpDownCounter';
  if (metric.dataPointType === DataPointType.GAUGE) return 'ObservableGauge';
  return 'Histogram';
}

describe('host metric groups', () => {
  it('collects host-wide groups in the primary only, process groups in each process, none in threads', () => {
    expect(hostMetricGroupsFor(HOST_METRIC_GROUPS, PRIMARY)).toEqual(HOST_METRIC_GROUPS);
    expect(hostMetricGroupsFor(HOST_METRIC_GROUPS, WORKER)).toEqual(['process.cpu', 'process.memory']);
    expect(hostMetricGroupsFor(HOST_METRIC_GROUPS, THREAD)).toEqual([]);
  });
});

describe('startHostMetrics', () => {
  it('by default records the CPU and memory groups of host and process, not the network', async () => {
    const { metrics: got } = await collected(true, PRIMARY);
    const names = got.map((m) => m.descriptor.name).sort();
    expect(names).toEqual(
      HOST_METRICS.filter((m) => !('optIn' in m && m.optIn))
        .map((m) => m.name)
        .sort(),
    );
  });

  it('in a cluster worker records its process only; in a worker thread, or when off, nothing starts', async () => {
    const worker = await collected(true, WORKER);
    expect(worker.metrics.map((m) => m.descriptor.name).sort()).toEqual([
      'process.cpu.time',
      'process.cpu.utilization',
      'process.memory.usage',
    ]);
    expect((await collected(true, THREAD)).started).toBe(false);
    expect((await collected(false, PRIMARY)).started).toBe(false);
  });

  it('the catalog holds what the instrumentation records: names, kinds, units, attributes, Prometheus names', async () => {
    const { metrics: got } = await collected(HOST_METRIC_GROUPS, PRIMARY);
    const byName = new Map(got.map((m) => [m.descriptor.name, m]));
    expect([...byName.keys()].sort()).toEqual(HOST_METRICS.map((m) => m.name).sort());
    for (const definition of HOST_METRICS as readonly MetricDefinition[]) {
      const metric = byName.get(definition.name)!;
      expect([kindOf(metric), metric.descriptor.unit], definition.name).toEqual([definition.kind, definition.unit]);
      expect(
        toPrometheusName(definition.name, metric.descriptor.unit, prometheusTypeOf(definition.kind)),
        definition.name,
      ).toBe(definition.prometheusName);
      for (const point of metric.dataPoints) {
        for (const key of Object.keys(point.attributes)) expect(definition.attributes, definition.name).toContain(key);
      }
    }
  });
});
