import { diag, DiagLogLevel } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { metric, values, worker } from '../../test/harness.js';
import { PeerHub } from './hub.js';
import { cumulativeOnly, MetricsMerger, PROCESS_WIDE_PREFIXES } from './merge.js';
import type { Snapshot } from './snapshot.js';

afterEach(() => diag.disable());

describe('MetricsMerger', () => {
  it('sums counters, up-down counters and histograms per attribute set; keeps gauges per worker', async () => {
    const a = worker();
    const b = worker();
    a.requests.add(3, { k: 'x' });
    b.requests.add(4, { k: 'x' });
    b.requests.add(1, { k: 'y' });
    a.latency.record(0.05);
    a.latency.record(5);
    b.latency.record(0.5);
    a.active.add(2);
    b.active.add(1);
    a.queue.record(7);
    b.queue.record(9);
    const merged = new MetricsMerger()
      .add(await a.snapshot(), ['ml.cluster.worker', '0'])
      .add(await b.snapshot(), ['ml.cluster.worker', '1'])
      .result();
    expect(values(merged, 'ml.tasks')).toEqual([
      [{ k: 'x' }, 7],
      [{ k: 'y' }, 1],
    ]);
    const histogram = metric(merged, 'ml.pipeline.duration')!.dataPoints[0]!.value as Histogram;
    expect(histogram).toMatchObject({
      count: 3,
      min: 0.05,
      max: 5,
      buckets: { boundaries: [0.1, 1, 10], counts: [1, 1, 1, 0] },
    });
    expect(histogram.sum).toBeCloseTo(5.55, 9);
    expect(values(merged, 'ml.tasks.active')).toEqual([[{}, 3]]);
    expect(values(merged, 'ml.queue.size')).toEqual([
      [{ 'ml.cluster.worker': '0' }, 7],
      [{ 'ml.cluster.worker': '1' }, 9],
    ]);
  });

  it('takes host-wide system.* metrics from the serving process only', async () => {
    const own = worker();
    const peer = worker();
    own.hostCpu.add(10);
    peer.hostCpu.add(10);
    const merged = new MetricsMerger()
      .add(await own.snapshot(), undefined)
      .add(await peer.snapshot(), ['w', '0'])
      .result();
    expect(values(merged, 'system.cpu.time')).toEqual([[{}, 10]]);
  });

  it('folds a histogram with other boundaries into the first one: count and sum exact, one warning', async () => {
    const warnings: string[] = [];
    diag.setLogger(
      { warn: (m: string) => void warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} },
      DiagLogLevel.WARN,
    );
    const a = worker([0.1, 1, 10]);
    const b = worker([0.5, 5]);
    a.latency.record(0.05);
    b.latency.record(0.3); // bucket (0.1, 0.5] of b -> first bucket of a with bound >= 0.5: le=1
    b.latency.record(3); // (0.5, 5] -> le=10
    b.latency.record(50); // +Inf -> +Inf
    const warned = new Set<string>();
    const merged = new MetricsMerger(warned)
      .add(await a.snapshot(), undefined)
      .add(await b.snapshot(), ['w', '1'])
      .result();
    const histogram = metric(merged, 'ml.pipeline.duration')!.dataPoints[0]!.value as Histogram;
    expect(histogram.buckets).toEqual({ boundaries: [0.1, 1, 10], counts: [1, 1, 1, 1] });
    expect(histogram.count).toBe(4);
    expect(histogram.sum).toBeCloseTo(53.35, 9);
    new MetricsMerger(warned)
      .add(await a.snapshot(), undefined)
      .add(await b.snapshot(), ['w', '1'])
      .result();
    expect(warnings.filter((w) => w.includes('different bucket boundaries'))).toHaveLength(1);
  });

  it('round-trips the SDK data through the wire form, leaving its inputs untouched', async () => {
    const a = worker();
    a.requests.add(2, { k: 'x' });
    a.latency.record(0.5, { k: 'x' });
    const snapshot = await a.snapshot();
    const before = JSON.stringify(snapshot);
    const merged = new MetricsMerger().add(snapshot, undefined).add(snapshot, ['w', '0']).result();
    expect(JSON.stringify(snapshot)).toBe(before);
    expect(values(merged, 'ml.tasks')).toEqual([[{ k: 'x' }, 4]]);
    expect(metric(merged, 'ml.pipeline.duration')!.dataPoints[0]!.value).toEqual({
      buckets: { boundaries: [0.1, 1, 10], counts: [0, 2, 0, 0] },
      count: 2,
      sum: 1,
      min: 0.5,
      max: 0.5,
    });
  });

  it('cumulativeOnly keeps counters and histograms, not gauges or up-down counters', async () => {
    const a = worker();
    a.requests.add(1);
    a.latency.record(1);
    a.active.add(1);
    a.queue.record(1);
    const kept = cumulativeOnly(await a.snapshot()).s.flatMap((s) => s.m.map((m) => m.d.name));
    expect(kept.sort()).toEqual(['ml.pipeline.duration', 'ml.tasks']);
  });

  it('passes points of other kinds through untouched when the kinds disagree (one warning, no throw)', async () => {
    const a = worker();
    a.requests.add(1);
    const other: Snapshot = JSON.parse(JSON.stringify(await a.snapshot()));
    const m = other.s[0]!.m.find((x) => x.d.name === 'ml.tasks')!;
    m.t = DataPointType.GAUGE;
    const merged = new MetricsMerger()
      .add(await a.snapshot(), undefined)
      .add(other, ['w', '0'])
      .result();
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 1]]);
  });
});

describe('host-wide and process-wide metrics', () => {
  it('a departed worker leaves no system.* counters behind; threads also take process.* from the main thread only', async () => {
    const peer = worker();
    peer.hostCpu.add(10);
    peer.requests.add(1);
    const snapshot = await peer.snapshot();
    const h = new PeerHub('ml.cluster.worker', 50, () => []);
    h.receive('1', snapshot);
    h.leave('1');
    const merged = await h.merge({ v: 1, s: [] });
    expect(values(merged, 'system.cpu.time')).toEqual([]);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 1]]);

    const own = worker();
    own.requests.add(1);
    const a = JSON.parse(JSON.stringify(await own.snapshot())) as Snapshot;
    a.s[0]!.m.push({
      ...a.s[0]!.m.find((m) => m.d.name === 'ml.tasks')!,
      d: { ...a.s[0]!.m[0]!.d, name: 'process.cpu.time' },
      p: [[{}, 5]],
    });
    const b = JSON.parse(JSON.stringify(a)) as Snapshot;
    const threads = new MetricsMerger(new Set(), PROCESS_WIDE_PREFIXES)
      .add(a, undefined)
      .add(b, ['ml.thread.worker', '0'])
      .result();
    expect(values(threads, 'process.cpu.time')).toEqual([[{}, 5]]);
    const processes = new MetricsMerger().add(a, undefined).add(b, ['ml.cluster.worker', '0']).result();
    expect(values(processes, 'process.cpu.time')).toEqual([[{}, 10]]);
  });
});
