import { diag, DiagLogLevel } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerHub } from './hub.js';
import { cumulativeOnly, MetricsMerger, PROCESS_WIDE_PREFIXES } from './merge.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';
import type { Snapshot } from './snapshot.js';

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A real provider standing for one worker process, recording what `record` does. */
function worker(buckets: number[] = [0.1, 1, 10]) {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('@mltel/pipeline');
  const instruments = {
    requests: meter.createCounter('ml.tasks'),
    latency: meter.createHistogram('ml.pipeline.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: buckets },
    }),
    active: meter.createUpDownCounter('ml.tasks.active'),
    queue: meter.createGauge('ml.queue.size'),
    hostCpu: meter.createCounter('system.cpu.time'),
  };
  return {
    ...instruments,
    // Through JSON, as over the cluster IPC channel.
    snapshot: async (): Promise<Snapshot> =>
      JSON.parse(JSON.stringify(toSnapshot((await reader.collect()).resourceMetrics))),
  };
}

function metric(snapshot: Snapshot, name: string): MetricData | undefined {
  for (const scope of fromSnapshot(snapshot)) for (const m of scope.metrics) if (m.descriptor.name === name) return m;
  return undefined;
}

function values(snapshot: Snapshot, name: string): [Record<string, unknown>, unknown][] {
  return (metric(snapshot, name)?.dataPoints ?? []).map((p) => [p.attributes, p.value]);
}

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
});

describe('PeerHub', () => {
  function hub(answer: (key: string, id: number, h: PeerHub) => void, timeoutMs = 200) {
    const h: PeerHub = new PeerHub('ml.cluster.worker', timeoutMs, (keys, id) => {
      for (const key of keys) answer(key, id, h);
      return [];
    });
    return h;
  }

  it('keeps what exited workers counted, so the totals never go backwards', async () => {
    const workers = new Map([
      ['1', worker()],
      ['2', worker()],
    ]);
    const h = hub(
      (key, id, self) =>
        void workers
          .get(key)
          ?.snapshot()
          .then((s) => self.receive(key, s, id)),
    );
    const own: Snapshot = { v: 1, s: [] };
    h.join('1');
    h.join('2');
    workers.get('1')!.requests.add(5);
    workers.get('2')!.requests.add(3);
    expect(values(await h.merge(own), 'ml.tasks')).toEqual([[{}, 8]]);
    // Worker 1 counts two more, which the hub only learns from its last push, then exits.
    workers.get('1')!.requests.add(2);
    workers.get('1')!.queue.record(4);
    h.receive('1', await workers.get('1')!.snapshot());
    h.leave('1');
    workers.delete('1');
    // A replacement starts from zero and takes the free slot 0.
    workers.set('3', worker());
    h.join('3');
    workers.get('3')!.requests.add(1);
    workers.get('3')!.queue.record(2);
    const merged = await h.merge(own);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 5 + 2 + 3 + 1]]);
    // The dead worker's gauge is gone; the replacement reuses slot 0.
    expect(values(merged, 'ml.queue.size')).toEqual([[{ 'ml.cluster.worker': '0' }, 2]]);
    // A late message from the departed worker is not taken for a new one.
    h.receive('1', await worker().snapshot());
    expect(h.size).toBe(2);
  });

  it('serves a worker that does not answer from its last snapshot, within the timeout', async () => {
    const live = worker();
    const stuck = worker();
    let stuckAnswers = true;
    const h = hub((key, id, self) => {
      if (key === 'live') void live.snapshot().then((s) => self.receive(key, s, id));
      else if (stuckAnswers) void stuck.snapshot().then((s) => self.receive(key, s, id));
    }, 100);
    h.join('live');
    h.join('stuck');
    stuck.requests.add(10);
    stuck.queue.record(3);
    await h.merge({ v: 1, s: [] });
    stuckAnswers = false;
    live.requests.add(1);
    const merged = await h.merge({ v: 1, s: [] });
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 11]]);
    expect(values(merged, 'ml.queue.size')).toEqual([[{ 'ml.cluster.worker': '1' }, 3]]);
    // After three missed requests its gauges are dropped, its counters stay.
    await h.merge({ v: 1, s: [] });
    await h.merge({ v: 1, s: [] });
    const later = await h.merge({ v: 1, s: [] });
    expect(values(later, 'ml.tasks')).toEqual([[{}, 11]]);
    expect(values(later, 'ml.queue.size')).toEqual([]);
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

describe('PeerHub and silent peers', () => {
  it('stops waiting for a peer that never answered, after three requests', async () => {
    let asked = 0;
    const h = new PeerHub('ml.cluster.worker', 50, (keys) => {
      asked += keys.length;
      return [];
    });
    h.join('mute');
    for (let i = 0; i < 5; i++) await h.merge({ v: 1, s: [] });
    expect(asked).toBe(3);
    expect(h.size).toBe(1);
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
