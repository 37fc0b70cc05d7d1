import { ML_DRIFT_METHOD_VALUES } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { crossingsOf, DEFAULT_THRESHOLDS, mergeThresholds, severityOf, worstSeverity } from './thresholds.js';

describe('DEFAULT_THRESHOLDS', () => {
  it('has one entry per catalog method: PSI 0.1/0.25, JS, Hellinger, KS 0.1/0.2, none for Wasserstein', () => {
    expect(Object.keys(DEFAULT_THRESHOLDS)).toEqual([...ML_DRIFT_METHOD_VALUES]);
    expect(DEFAULT_THRESHOLDS).toEqual({
      psi: { warning: 0.1, critical: 0.25 },
      js: { warning: 0.1, critical: 0.2 },
      hellinger: { warning: 0.1, critical: 0.2 },
      ks: { warning: 0.1, critical: 0.2 },
      wasserstein: {},
    });
  });
});

describe('mergeThresholds', () => {
  it('overrides the defaults with the default levels, then the per-feature ones, level by level', () => {
    const merged = mergeThresholds(
      { psi: { warning: 0.05 }, wasserstein: { critical: 3 } },
      { psi: { critical: 0.4 }, wasserstein: { warning: 1 } },
    );
    expect(merged.psi).toEqual({ warning: 0.05, critical: 0.4 });
    expect(merged.wasserstein).toEqual({ warning: 1, critical: 3 });
    expect(merged.js).toEqual(DEFAULT_THRESHOLDS.js);
  });

  it('ignores non-finite and non-numeric levels and non-object entries', () => {
    const merged = mergeThresholds(
      { psi: { warning: Number.NaN, critical: Number.POSITIVE_INFINITY }, ks: null as never },
      { js: { warning: '0.5' as never }, hellinger: 7 as never },
    );
    expect(merged).toEqual(DEFAULT_THRESHOLDS);
    expect(mergeThresholds(undefined, undefined)).toEqual(DEFAULT_THRESHOLDS);
  });

  it('returns fresh objects: changing them leaves the defaults alone', () => {
    const merged = mergeThresholds(undefined, undefined);
    merged.psi.warning = 9;
    expect(DEFAULT_THRESHOLDS.psi.warning).toBe(0.1);
  });
});

describe('severityOf', () => {
  const levels = { warning: 0.1, critical: 0.25 };
  it('is critical at or above critical, warning at or above warning, else none', () => {
    expect([0.3, 0.25, 0.2499, 0.1, 0.0999, 0].map((s) => severityOf(s, levels))).toEqual([
      'critical',
      'critical',
      'warning',
      'warning',
      undefined,
      undefined,
    ]);
  });

  it('gives none for a missing or non-finite score, or without levels', () => {
    expect(severityOf(undefined, levels)).toBeUndefined();
    expect(severityOf(Number.NaN, levels)).toBeUndefined();
    expect(severityOf(Number.POSITIVE_INFINITY, levels)).toBeUndefined();
    expect(severityOf(1e9, {})).toBeUndefined();
    expect(severityOf(0.5, { critical: 0.4 })).toBe('critical');
    expect(severityOf(0.3, { critical: 0.4 })).toBeUndefined();
  });
});

describe('crossingsOf and worstSeverity', () => {
  it('lists each crossing score with its level, in the catalog method order', () => {
    const crossings = crossingsOf(
      { wasserstein: 100, ks: 0.15, js: 0.05, psi: 0.3, hellinger: Number.NaN },
      DEFAULT_THRESHOLDS,
    );
    expect(crossings).toEqual([
      { method: 'psi', score: 0.3, severity: 'critical', threshold: 0.25 },
      { method: 'ks', score: 0.15, severity: 'warning', threshold: 0.1 },
    ]);
    expect(worstSeverity(crossings)).toBe('critical');
    expect(worstSeverity(crossings.slice(1))).toBe('warning');
    expect(worstSeverity([])).toBeUndefined();
    expect(crossingsOf({}, DEFAULT_THRESHOLDS)).toEqual([]);
  });
});
