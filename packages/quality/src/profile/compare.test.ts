import { describe, expect, it } from 'vitest';
import { category, referenceProfile, shift } from '../../test/reference.js';
import { compareProfile, ProfileComparer } from './compare.js';

const profile = referenceProfile();

/** The shifted current rows, x as CSV-like strings, plus a missing and an invalid x. */
function currentRows(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = shift.current.map((x, i) => ({
    x: String(x),
    c: category.current[i],
    confidence: 0.99,
    label: i % 5 < 2 ? 'dog' : 'cat',
  }));
  rows.push({ x: '', c: null, label: 'cat' }, { x: 'abc', c: 'a', label: 'cat' });
  return rows;
}

describe('ProfileComparer', () => {
  it('scores every feature, the confidence and the predicted class, as numpy/scipy', () => {
    const comparer = new ProfileComparer(profile);
    for (const row of currentRows()) comparer.add(row);
    const results = comparer.results();
    expect(results.map((r) => [r.feature, r.kind, r.type])).toEqual([
      ['x', 'distribution', 'numeric'],
      ['c', 'distribution', 'categorical'],
      ['_confidence', 'confidence', 'numeric'],
      ['_prediction', 'distribution', 'categorical'],
    ]);
    const [x, c, confidence, prediction] = results;
    // Numeric strings are parsed; '' is missing, 'abc' invalid.
    expect(x).toMatchObject({ samples: shift.current.length, missing: 1, invalid: 1, unknownCategory: 0 });
    expect(Math.abs(x!.scores.psi! - shift.expected.psi)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(x!.scores.js! - shift.expected.js)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(x!.scores.hellinger! - shift.expected.hellinger)).toBeLessThanOrEqual(1e-9);
    expect(x!.bounds!.ks).toBeGreaterThan(0);
    expect(Math.abs(x!.scores.ks! - shift.expected.ks)).toBeLessThanOrEqual(x!.bounds!.ks);
    expect(Math.abs(x!.scores.wasserstein! - shift.expected.wasserstein)).toBeLessThanOrEqual(x!.bounds!.wasserstein);

    expect(c).toMatchObject({ samples: shift.current.length + 1, missing: 1, invalid: 0 });
    expect(c!.unknownCategory).toBe(category.currentCounts.at(-1));
    expect(c!.bounds).toBeUndefined();
    expect(Object.keys(c!.scores)).toEqual(['psi', 'js', 'hellinger']);

    expect(confidence).toMatchObject({ samples: shift.current.length, missing: 2 });
    expect(confidence!.scores.ks).toBeGreaterThan(0.9);
    // 40 % dog against the reference's 50 %: PSI 0.1 ln 1.5 to within the two extra "cat" rows.
    expect(prediction!.samples).toBe(shift.current.length + 2);
    expect(prediction!.scores.psi).toBeCloseTo(0.1 * Math.log(1.5), 3);
  });

  it('has no scores nor bounds for a feature without a valid value', () => {
    const comparer = new ProfileComparer(profile);
    comparer.add({ x: 'n/a', c: '' });
    const [x, c] = comparer.results();
    expect(x).toMatchObject({ samples: 0, invalid: 1, scores: {} });
    expect(x!.bounds).toBeUndefined();
    expect(c).toMatchObject({ samples: 0, missing: 1, scores: {} });
  });

  it('with sketchK 0 scores the bins only', () => {
    const [x] = compareProfile(profile, currentRows(), 0);
    expect(Object.keys(x!.scores)).toEqual(['psi', 'js', 'hellinger']);
    expect(x!.bounds).toBeUndefined();
  });
});

describe('compareProfile', () => {
  it('is a ProfileComparer over the rows', () => {
    const comparer = new ProfileComparer(profile);
    for (const row of currentRows()) comparer.add(row);
    expect(compareProfile(profile, currentRows())).toEqual(comparer.results());
  });
});
