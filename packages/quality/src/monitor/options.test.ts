import { diag } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, CLASS, MODEL, setup } from '../../test/harness.js';
import { referenceProfile, still } from '../../test/reference.js';
import type { ReferenceProfile } from '../profile/types.js';
import { DEFAULT_SKETCH_K } from '../stats/quantile-sketch.js';
import type { ModelMonitorOptions } from '../types.js';
import { DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_COUNT, MAX_CLASS_LENGTH, positive, readOptions } from './options.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const read = (options: Partial<ModelMonitorOptions>) =>
  readOptions({ modelName: 'm', ...options } as ModelMonitorOptions, new WarnOnce());

describe('readOptions', () => {
  it('gives the documented defaults, with no warning', () => {
    const s = read({});
    expect(s).toMatchObject({
      modelName: 'm',
      meterProvider: undefined,
      profile: undefined,
      minSamples: DEFAULT_MIN_SAMPLES,
      windowCount: DEFAULT_WINDOW_COUNT,
      windowSeconds: undefined,
      sketchK: DEFAULT_SKETCH_K,
      classes: undefined,
      accuracyWindow: 1000,
      maxPendingLabels: 10_000,
      labelTtlMs: 3_600_000,
      now: Date.now,
      onAlert: undefined,
    });
    expect([DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_COUNT, DEFAULT_SKETCH_K]).toEqual([100, 1000, 1024]);
    expect(s.thresholdsFor('x')).toEqual(DEFAULT_THRESHOLDS);
    expect(log.warnings).toEqual([]);
  });

  it('floors counts, converts the label TTL to milliseconds and clamps sketchK to 8..65536', () => {
    const s = read({ minSamples: 0.5, accuracyWindow: 9.9, maxPendingLabels: 3.2, labelTtlSeconds: 1.5, sketchK: 3 });
    expect([s.minSamples, s.accuracyWindow, s.maxPendingLabels, s.labelTtlMs, s.sketchK]).toEqual([1, 9, 3, 1500, 8]);
    expect(read({ sketchK: 1e12 }).sketchK).toBe(65_536);
    expect(read({ sketchK: 100, sketch: false }).sketchK).toBe(0);
  });

  it('reads a time window, and a count window floored', () => {
    expect(read({ window: { seconds: 2.5 } })).toMatchObject({ windowCount: 0, windowSeconds: 2.5 });
    expect(read({ window: { count: 10.7 } })).toMatchObject({ windowCount: 10, windowSeconds: undefined });
  });

  it('truncates a long model name and takes the classes from the profile unless given', () => {
    expect(read({ modelName: 'x'.repeat(200) }).modelName).toBe('x'.repeat(MAX_CLASS_LENGTH));
    const profile = referenceProfile();
    const s = read({ profile });
    expect(s.profile).toBe(profile);
    expect(s.classes).toEqual(['cat', 'dog']);
    expect(read({ profile, classes: ['a'] }).classes).toEqual(['a']);
  });

  it('merges thresholds per feature over the defaults', () => {
    const s = read({
      thresholds: { default: { psi: { warning: 0.2 } }, perFeature: { x: { psi: { critical: 0.5 }, ks: {} } } },
    });
    expect(s.thresholdsFor('x').psi).toEqual({ warning: 0.2, critical: 0.5 });
    expect(s.thresholdsFor('y').psi).toEqual({ warning: 0.2, critical: 0.25 });
    expect(s.thresholdsFor('x').ks).toEqual(DEFAULT_THRESHOLDS.ks);
  });

  it('warns about each bad option once, in order, and falls back to its default', () => {
    const s = read({ modelName: 42 as never, window: { count: -1 }, profile: '{', minSamples: Number.NaN });
    expect([s.modelName, s.windowCount, s.profile, s.minSamples]).toEqual([
      'unknown',
      DEFAULT_WINDOW_COUNT,
      undefined,
      DEFAULT_MIN_SAMPLES,
    ]);
    expect(log.warnings).toHaveLength(3);
    expect(log.warnings[0]).toBe('mltel: createModelMonitor needs a non-empty modelName; using "unknown"');
    expect(log.warnings[1]).toMatch(/^mltel: the drift profile of model "unknown" is not usable: not valid JSON/);
    expect(log.warnings[2]).toBe(
      'mltel: window must be { count: n } or { seconds: s } with n, s > 0; using { count: 1000 }',
    );
  });
});

describe('positive', () => {
  it('keeps finite numbers above 0 only', () => {
    expect([1, 0.5, 1e300].map(positive)).toEqual([1, 0.5, 1e300]);
    expect([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '3', null, undefined].map(positive)).toEqual(
      Array(7).fill(undefined),
    );
  });
});

describe('options through the monitor', () => {
  it.each([
    [
      'a newer version',
      (p: ReferenceProfile) => JSON.stringify({ ...p, version: 2 }),
      'profile version 2 is newer than this @mltel/quality reads (1)',
    ],
    ['truncated JSON', (p: ReferenceProfile) => JSON.stringify(p).slice(0, 200), 'not valid JSON'],
    ['a wrong format', (p: ReferenceProfile) => ({ ...p, format: 'other' }), '"format" is not "mltel.drift.profile"'],
    [
      'decreasing edges',
      (p: ReferenceProfile) => ({ ...p, features: [{ ...p.features[0]!, edges: [3, 2, 1] }] }),
      'features[0].edges must be finite and strictly increasing',
    ],
    [
      'a corrupted sketch',
      (p: ReferenceProfile) => ({ ...p, features: [{ ...p.features[0]!, sketch: { k: 4 } }] }),
      'features[0].sketch is not a valid quantile sketch',
    ],
    ['null', () => null, 'not a JSON object'],
  ])('a profile with %s: one warning, predictions recorded, no drift scores', async (_label, corrupt, reason) => {
    const { monitor, collect } = setup({
      modelName: 'm',
      profile: corrupt(referenceProfile()),
      window: { count: 10 },
      minSamples: 1,
    });
    expect(monitor.profile).toBeUndefined();
    for (let i = 0; i < 50; i++) {
      expect(() =>
        monitor.recordPrediction({ predictedClass: 'cat', confidence: 0.5, features: { x: i } }),
      ).not.toThrow();
    }
    const c = await collect();
    expect(c.points('ml.predictions')).toEqual([{ attributes: { [MODEL]: 'm', [CLASS]: 'cat' }, value: 50 }]);
    expect(c.points('ml.drift.score')).toEqual([]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(reason);
    expect(log.warnings[0]).toContain('drift is not scored');
  });

  it('bad options fall back to defaults with one warning each, and nothing throws', async () => {
    const { monitor, collect } = setup({
      modelName: '',
      window: 5 as never,
      sketchK: 1e12,
      minSamples: Number.NaN,
      profile: referenceProfile(),
    });
    for (let i = 0; i < 1000; i++) monitor.observe({ x: still.current[i]!, c: 'a' });
    expect(monitor.modelName).toBe('unknown');
    expect(monitor.stats().windowsClosed).toBe(1);
    expect((await collect()).points('ml.drift.score').length).toBe(8);
    expect(log.warnings).toEqual([
      'mltel: createModelMonitor needs a non-empty modelName; using "unknown"',
      'mltel: window must be { count: n } or { seconds: s } with n, s > 0; using { count: 1000 }',
    ]);
  });
});
