import { diag, metrics } from '@opentelemetry/api';
import { announceProviderChange } from '@mltel/kit';
import { OTHER_VALUE } from '@mltel/semconv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureDiag, CLASS, FEATURE, KIND, METHOD, MODEL, sdkProvider, setup, SEVERITY } from '../../test/harness.js';
import { category, referenceProfile, shift, still } from '../../test/reference.js';
import type { DriftAlert } from '../types.js';
import { createModelMonitor } from './model-monitor.js';

/**
 * The points that counted something: the monitor creates its closed label sets at 0 (drift kinds
 * x severities, allow-listed classes; see zero-series.suite.test.ts), which these tests leave out.
 */
function counted<P extends { value: number }>(points: P[]): P[] {
  return points.filter((p) => p.value !== 0);
}

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
  vi.useRealTimers();
});

describe('predictions, confidence and batch size', () => {
  it('counts predictions by class through the profile allow-list, records confidence and batch size', async () => {
    const { monitor, collect } = setup({ modelName: 'm', profile: referenceProfile() });
    monitor.recordBatch([
      { predictedClass: 'cat', confidence: 0.9 },
      { predictedClass: 'dog', confidence: 0.3 },
      { predictedClass: 'cat', confidence: 1 },
      { predictedClass: 'zebra', confidence: 0.5 },
    ]);
    const c = await collect();
    expect(counted(c.points('ml.predictions'))).toEqual([
      { attributes: { [MODEL]: 'm', [CLASS]: OTHER_VALUE }, value: 1 },
      { attributes: { [MODEL]: 'm', [CLASS]: 'cat' }, value: 2 },
      { attributes: { [MODEL]: 'm', [CLASS]: 'dog' }, value: 1 },
    ]);
    const [h] = c.histograms('ml.prediction.confidence');
    expect([h!.count, h!.sum, h!.min, h!.max]).toEqual([4, 2.7, 0.3, 1]);
    expect(c.histograms('ml.batch.size').map((b) => [b.attributes, b.sum])).toEqual([[{ [MODEL]: 'm' }, 4]]);
    expect(log.warnings).toEqual([
      `mltel: ml.prediction.class value outside the allow-list is recorded as ${OTHER_VALUE}`,
      'mltel: feature "_prediction" has a category the profile does not know; such values count as "other"',
    ]);
  });
});

describe('accuracy from late labels', () => {
  it('matches labels that arrive late and out of order, by an id that never becomes an attribute', async () => {
    const { monitor, collect } = setup({ modelName: 'm', accuracyWindow: 4 });
    for (let i = 0; i < 6; i++)
      monitor.recordPrediction({ predictedClass: i % 2 === 0 ? 'cat' : 'dog', id: `req-${i}` });
    let c = await collect();
    expect(c.points('ml.model.accuracy')).toEqual([]);
    // Labels in reverse order; req-5 and req-3 wrong.
    monitor.recordLabel('req-5', 'cat');
    monitor.recordLabel('req-4', 'cat');
    monitor.recordLabel('req-3', 'cat');
    c = await collect();
    expect(c.points('ml.model.accuracy')).toEqual([{ attributes: { [MODEL]: 'm' }, value: 1 / 3 }]);
    monitor.recordLabel('req-2', 'cat');
    monitor.recordLabel('req-1', 'dog');
    monitor.recordLabel('req-0', 'cat');
    c = await collect();
    // The window holds the last 4 labelled results: req-3 wrong, then three right.
    expect(c.points('ml.model.accuracy')).toEqual([{ attributes: { [MODEL]: 'm' }, value: 0.75 }]);
    monitor.recordLabel('req-0', 'cat');
    monitor.recordLabel('never-seen', 'cat');
    expect(monitor.stats()).toMatchObject({ labelsMatched: 6, labelsUnmatched: 2, pendingLabels: 0 });
    const everything = JSON.stringify([...c.byName.values()].map((m) => m.dataPoints.map((p) => p.attributes)));
    expect(everything).not.toContain('req-');
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('a label matched no pending prediction');
  });

  it('bounds pending predictions by count and age, counting what it drops', () => {
    let now = 0;
    const { monitor } = setup({ modelName: 'm', maxPendingLabels: 3, labelTtlSeconds: 10, now: () => now });
    for (let i = 0; i < 5; i++) monitor.recordPrediction({ predictedClass: 'a', id: i });
    expect(monitor.stats()).toMatchObject({ pendingLabels: 3, pendingEvicted: 2 });
    now = 11_000;
    monitor.recordPrediction({ predictedClass: 'a', id: 'late' });
    expect(monitor.stats()).toMatchObject({ pendingLabels: 1, pendingExpired: 3 });
    monitor.recordLabel(4, 'a');
    monitor.recordLabel('late', 'a');
    expect(monitor.stats()).toMatchObject({ labelsMatched: 1, labelsUnmatched: 1 });
  });
});

describe('online drift', () => {
  it('publishes every score of a full window, equal to numpy/scipy, and alerts once per window', async () => {
    const alerts: DriftAlert[][] = [];
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: shift.current.length },
      onAlert: (a) => alerts.push(a),
    });
    for (const [i, x] of shift.current.entries()) monitor.observe({ x, c: category.current[i] });

    const c = await collect();
    const scores = c.points('ml.drift.score');
    const of = (feature: string, method: string) =>
      scores.find((p) => p.attributes[FEATURE] === feature && p.attributes[METHOD] === method)?.value;
    expect(Math.abs(of('x', 'psi')! - shift.expected.psi)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(of('x', 'js')! - shift.expected.js)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(of('x', 'hellinger')! - shift.expected.hellinger)).toBeLessThanOrEqual(1e-9);
    // Default k = 1024: the 5000-value reference and 3000-value window sketches are compacted.
    const ksBound = (2 * 3) / 1024;
    expect(Math.abs(of('x', 'ks')! - shift.expected.ks)).toBeLessThanOrEqual(ksBound);
    expect(Math.abs(of('x', 'wasserstein')! - shift.expected.wasserstein)).toBeLessThanOrEqual(ksBound * 10);
    expect(Math.abs(of('c', 'psi')! - category.expected.psi)).toBeLessThanOrEqual(1e-9);
    expect(
      scores
        .filter((p) => p.attributes[FEATURE] === 'c')
        .map((p) => p.attributes[METHOD])
        .sort(),
    ).toEqual(['hellinger', 'js', 'psi']);
    expect(scores.every((p) => p.attributes[MODEL] === 'm' && p.attributes[KIND] === 'distribution')).toBe(true);

    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.map((a) => [a.feature, a.severity])).toEqual([
      ['x', 'critical'],
      ['c', 'critical'],
    ]);
    expect(alerts[0]![0]!.crossings.find((x) => x.method === 'psi')).toMatchObject({
      severity: 'critical',
      threshold: 0.25,
    });
    expect(counted(c.points('ml.drift.alerts'))).toEqual([
      { attributes: { [MODEL]: 'm', [KIND]: 'distribution', [SEVERITY]: 'critical' }, value: 2 },
    ]);
    expect(log.warnings).toEqual([
      'mltel: feature "c" has a category the profile does not know; such values count as "other"',
    ]);
  });

  it('scores confidence (kind confidence) and the predicted class, with per-feature threshold overrides', async () => {
    const alerts: DriftAlert[][] = [];
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: 500 },
      minSamples: 500,
      thresholds: { perFeature: { _prediction: { psi: { warning: 0.03, critical: 10 } } } },
      onAlert: (a) => alerts.push(a),
    });
    for (let i = 0; i < 500; i++)
      monitor.recordPrediction({ predictedClass: i % 5 < 2 ? 'dog' : 'cat', confidence: 0.99 });
    const c = await collect();
    const scores = c.points('ml.drift.score');
    expect(
      scores.filter((p) => p.attributes[FEATURE] === '_confidence').every((p) => p.attributes[KIND] === 'confidence'),
    ).toBe(true);
    expect(scores.filter((p) => p.attributes[FEATURE] === '_confidence')).toHaveLength(5);
    expect(scores.filter((p) => p.attributes[FEATURE] === '_prediction')).toHaveLength(3);
    // Feature x had no values: not scored.
    expect(scores.filter((p) => p.attributes[FEATURE] === 'x')).toEqual([]);
    const prediction = alerts[0]!.find((a) => a.feature === '_prediction')!;
    // PSI of 40/60 against 50/50 is 0.0405: under the default 0.1, over the overridden 0.03.
    expect(prediction.crossings).toEqual([
      { method: 'psi', score: expect.closeTo(0.0405, 3), severity: 'warning', threshold: 0.03 },
    ]);
    expect(prediction.severity).toBe('warning');
    expect(alerts[0]!.find((a) => a.feature === '_confidence')!.severity).toBe('critical');
    expect(
      counted(c.points('ml.drift.alerts')).map((p) => [p.attributes[KIND], p.attributes[SEVERITY], p.value]),
    ).toEqual([
      ['confidence', 'critical', 1],
      ['distribution', 'warning', 1],
    ]);
  });

  it('publishes nothing before minSamples, then scores the carried-over values', async () => {
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: 100 },
      minSamples: 250,
    });
    for (let i = 0; i < 200; i++) monitor.observe({ x: still.current[i], c: 'a' });
    let c = await collect();
    expect(c.points('ml.drift.score')).toEqual([]);
    expect(monitor.stats().windowsClosed).toBe(2);
    for (let i = 200; i < 300; i++) monitor.observe({ x: still.current[i], c: 'a' });
    c = await collect();
    expect(c.points('ml.drift.score').filter((p) => p.attributes[FEATURE] === 'x')).toHaveLength(5);
    expect(monitor.scores().x!.psi).toBeLessThan(0.1);
  });

  it('with sketch: false scores the bins only (no KS, no Wasserstein)', async () => {
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: shift.current.length },
      sketch: false,
    });
    for (const x of shift.current) monitor.observe({ x, c: 'a' });
    const x = (await collect()).points('ml.drift.score').filter((p) => p.attributes[FEATURE] === 'x');
    expect(x.map((p) => p.attributes[METHOD])).toEqual(['hellinger', 'js', 'psi']);
    expect(Math.abs(monitor.scores().x!.psi! - shift.expected.psi)).toBeLessThanOrEqual(1e-9);
  });

  it('closes time windows on a timer', async () => {
    vi.useFakeTimers();
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { seconds: 60 },
      minSamples: 10,
    });
    for (let i = 0; i < 50; i++) monitor.observe({ x: still.current[i], c: 'a' });
    expect((await collect()).points('ml.drift.score')).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect((await collect()).points('ml.drift.score').length).toBe(8);
    monitor.close();
  });
});

describe('bad input never throws', () => {
  it('reads features the same whatever the record: key order, extra keys, getters, prototypes, Proxies, many keys', () => {
    // The profile's order (x, then c) takes observeFeatures' for-in fast path; every other shape
    // leaves it at some key, or skips it (many keys), and must give the same windows.
    const window = { count: 500 };
    const ordered = setup({ modelName: 'm', profile: referenceProfile(), window });
    const shapes = setup({ modelName: 'm', profile: referenceProfile(), window });
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, j) => [`k${j}`, j]));
    const make: ((x: number, c: string) => Record<string, unknown>)[] = [
      (x, c) => ({ x, c }),
      (x, c) => ({ c, x }),
      (x, c) => ({ extra: 1, x, c }),
      (x, c) => ({ x, extra: 1, c }),
      (x, c) => Object.assign(Object.create({ x }) as object, { c }),
      (x, c) => ({
        get x() {
          return x;
        },
        c,
      }),
      (x, c) => new Proxy({ x, c }, {}),
      (x, c) =>
        new Proxy(
          { x, c },
          {
            ownKeys() {
              throw new Error('no keys');
            },
          },
        ),
      (x, c) => ({ x, c, ...many }),
      (x, c) => ({ ...many, c, x }),
    ];
    for (const [i, x] of shift.current.entries()) {
      const c = category.current[i]!;
      ordered.monitor.observe({ x, c });
      shapes.monitor.observe(make[i % make.length]!(x, c));
    }
    // A throwing getter is that feature's missing value, on either path, read once; the others are read.
    let reads = 0;
    const fail = (): number => {
      reads++;
      throw new Error('x');
    };
    const throwing = [
      {
        get x() {
          return fail();
        },
        c: 'a',
      },
      {
        c: 'a',
        get x() {
          return fail();
        },
      },
    ];
    for (const record of throwing) {
      ordered.monitor.observe({ c: 'a' });
      shapes.monitor.observe(record);
    }
    expect(ordered.monitor.stats().records).toBe(shift.current.length + 2);
    expect(shapes.monitor.stats().features).toEqual(ordered.monitor.stats().features);
    expect(shapes.monitor.stats().features.x!.missing).toBe(2);
    expect(reads).toBe(2);
    expect(shapes.monitor.scores()).toEqual(ordered.monitor.scores());
    expect(Object.keys(ordered.monitor.scores()).sort()).toEqual(['c', 'x']);
  });

  it('counts NaN, infinities, missing features, wrong types and unknown features, one warning per kind', async () => {
    const { monitor, collect } = setup({ modelName: 'm', profile: referenceProfile(), window: { count: 1_000_000 } });
    const bad: unknown[] = [
      { x: Number.NaN, c: 'a' },
      { x: Number.POSITIVE_INFINITY, c: 'a' },
      { x: Number.NEGATIVE_INFINITY, c: {} },
      { c: 'a' },
      { x: '1.5', c: null },
      { x: 1, c: 'a', surprise: 3 },
      null,
      'text',
    ];
    for (let i = 0; i < 300; i++)
      for (const r of bad) expect(() => monitor.observe(r as Record<string, unknown>)).not.toThrow();
    expect(() => monitor.recordPrediction(null as never)).not.toThrow();
    expect(() =>
      monitor.recordPrediction({ predictedClass: {} as never, confidence: 7, id: {} as never }),
    ).not.toThrow();
    expect(() => monitor.recordLabel(Number.NaN, 'x')).not.toThrow();
    expect(() => monitor.recordBatch('x' as never)).not.toThrow();
    const stats = monitor.stats();
    expect(stats.features.x).toEqual({ missing: 300, invalid: 1200, unknownCategory: 0 });
    expect(stats.features.c).toEqual({ missing: 300, invalid: 300, unknownCategory: 0 });
    expect(stats.invalidRecords).toBe(601);
    expect(stats.invalidConfidence).toBe(1);
    expect(stats.unknownFeatures).toBeGreaterThan(0);
    expect(counted((await collect()).points('ml.predictions'))).toEqual([]);
    expect(log.warnings).toEqual([
      'mltel: feature "x" needs a finite number, got NaN; the value is counted as invalid and not scored',
      'mltel: feature "c" needs a non-empty string, finite number or boolean, got object; the value is counted as invalid and not scored',
      'mltel: feature "x" is missing from a record; missing values are counted, not scored',
      'mltel: a record has feature "surprise", which the profile does not have; such features are ignored',
      'mltel: observe() needs an object of feature values, got null; the record is dropped',
      'mltel: recordPrediction() needs an object; the prediction is dropped',
      'mltel: ml.prediction.class must be a non-empty string, got object; the value is dropped',
      'mltel: confidence must be a number in 0..1, got 7; the confidence is dropped',
      'mltel: prediction ids must be non-empty strings of at most 256 characters or finite numbers; the id is ignored',
      'mltel: recordBatch() needs an array; the batch is dropped',
    ]);
  });

  it('records a confidence in 0..1 only, counting the others as invalid', async () => {
    const { monitor, collect } = setup({ modelName: 'm' });
    for (const confidence of [0, 1, Number.NaN, Number.POSITIVE_INFINITY, -0.1, 1.01, '0.5' as never])
      monitor.recordPrediction({ predictedClass: 'cat', confidence });
    expect(monitor.stats().invalidConfidence).toBe(5);
    const [h] = (await collect()).histograms('ml.prediction.confidence');
    expect([h!.count, h!.min, h!.max]).toEqual([2, 0, 1]);
    expect(log.warnings).toEqual(['mltel: confidence must be a number in 0..1, got NaN; the confidence is dropped']);
  });

  it('a throwing onAlert handler is caught, warned about once, and alerts are still counted', async () => {
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: 200 },
      minSamples: 200,
      onAlert: () => {
        throw new Error('handler bug');
      },
    });
    for (let w = 0; w < 2; w++)
      for (let i = 0; i < 200; i++) expect(() => monitor.observe({ x: 50, c: 'a' })).not.toThrow();
    const c = await collect();
    expect(counted(c.points('ml.drift.alerts'))).toEqual([
      { attributes: { [MODEL]: 'm', [KIND]: 'distribution', [SEVERITY]: 'critical' }, value: 4 },
    ]);
    expect(log.warnings).toEqual(['mltel: the onAlert handler threw (Error); the alerts are still counted']);
  });
});

describe('the global provider', () => {
  it('follows a global provider registered after the monitor was created', async () => {
    const monitor = createModelMonitor({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: 100 },
      minSamples: 50,
    });
    monitor.recordPrediction({ predictedClass: 'cat' });
    const sdk = sdkProvider();
    metrics.setGlobalMeterProvider(sdk.provider);
    try {
      announceProviderChange();
      monitor.recordPrediction({ predictedClass: 'dog' });
      for (let i = 0; i < 100; i++) monitor.observe({ x: still.current[i], c: 'a' });
      const c = await sdk.collect();
      expect(counted(c.points('ml.predictions'))).toEqual([{ attributes: { [MODEL]: 'm', [CLASS]: 'dog' }, value: 1 }]);
      expect(c.points('ml.drift.score').filter((p) => p.attributes[FEATURE] === 'x')).toHaveLength(5);
    } finally {
      monitor.close();
      metrics.disable();
    }
  });
});

describe('close', () => {
  it('removes the gauges from the provider and ignores later records; scores() and stats() stay', async () => {
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: referenceProfile(),
      window: { count: 100 },
      minSamples: 50,
    });
    monitor.recordPrediction({ predictedClass: 'cat', id: 1 });
    monitor.recordPrediction({ predictedClass: 'cat', id: 2 });
    monitor.recordLabel(1, 'cat');
    for (let i = 0; i < 100; i++) monitor.observe({ x: still.current[i], c: 'a' });
    let c = await collect();
    expect(c.points('ml.model.accuracy')).toEqual([{ attributes: { [MODEL]: 'm' }, value: 1 }]);
    const x = c.points('ml.drift.score').filter((p) => p.attributes[FEATURE] === 'x');
    expect(x).toHaveLength(5);
    const scores = monitor.scores();

    monitor.close();
    monitor.recordLabel(2, 'dog');
    monitor.recordPrediction({ predictedClass: 'dog' });
    monitor.recordBatch([{ predictedClass: 'dog' }]);
    for (let i = 0; i < 100; i++) monitor.observe({ x: 50, c: 'a' });
    monitor.closeWindow();
    c = await collect();
    // The SDK keeps a gauge's last point: with the callback still there, accuracy would be 0.5.
    expect(c.points('ml.model.accuracy')).toEqual([{ attributes: { [MODEL]: 'm' }, value: 1 }]);
    expect(c.points('ml.drift.score').filter((p) => p.attributes[FEATURE] === 'x')).toEqual(x);
    expect(counted(c.points('ml.predictions'))).toEqual([{ attributes: { [MODEL]: 'm', [CLASS]: 'cat' }, value: 2 }]);
    expect(c.histograms('ml.batch.size')).toEqual([]);
    expect(monitor.scores()).toEqual(scores);
    expect(monitor.stats()).toMatchObject({ records: 102, windowsClosed: 1, labelsMatched: 2 });
  });

  it('stops following the global provider', async () => {
    const monitor = createModelMonitor({ modelName: 'm', accuracyWindow: 10 });
    monitor.recordPrediction({ predictedClass: 'cat', id: 'a' });
    monitor.recordLabel('a', 'cat');
    monitor.close();
    const sdk = sdkProvider();
    metrics.setGlobalMeterProvider(sdk.provider);
    try {
      announceProviderChange();
      expect((await sdk.collect()).points('ml.model.accuracy')).toEqual([]);
    } finally {
      metrics.disable();
    }
  });
});
