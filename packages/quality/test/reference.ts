// The reference profile the monitor tests share: x from the normal_mean_shift dataset, c
// categorical, a confidence and a predicted class (cat/dog, half each).
import { buildProfile } from '../src/profile/builder.js';
import type { ReferenceProfile } from '../src/profile/types.js';
import { CATEGORICAL, NUMERIC } from './datasets.js';

export const shift = NUMERIC.find((d) => d.name === 'normal_mean_shift')!;
export const still = NUMERIC.find((d) => d.name === 'normal_no_shift')!;
export const category = CATEGORICAL[0]!;
export const CLASSES = ['cat', 'dog'];

/** Reference rows: x from the dataset, c categorical, confidence and class. */
export function referenceProfile(): ReferenceProfile {
  const rows = shift.reference.map((x, i) => ({
    x,
    c: category.reference[i % category.reference.length],
    confidence: 0.5 + (i % 50) / 100,
    label: CLASSES[i % 2],
  }));
  return buildProfile(rows, { numeric: ['x'], categorical: ['c'], confidence: 'confidence', prediction: 'label' });
}
