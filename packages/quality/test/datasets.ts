// The checked-in expected values of test/expected/generate.py (numpy/scipy), typed.
import { readFileSync } from 'node:fs';

export interface NumericDataset {
  name: string;
  type: 'numeric';
  reference: number[];
  current: number[];
  edges: number[];
  referenceCounts: number[];
  currentCounts: number[];
  expected: { psi: number; js: number; hellinger: number; ks: number; wasserstein: number };
}

export interface CategoricalDataset {
  name: string;
  type: 'categorical';
  reference: string[];
  current: string[];
  categories: string[];
  referenceCounts: number[];
  currentCounts: number[];
  expected: { psi: number; js: number; hellinger: number };
}

export interface Expected {
  bins: number;
  psiEpsilon: number;
  datasets: (NumericDataset | CategoricalDataset)[];
}

export const EXPECTED = JSON.parse(
  readFileSync(new URL('./expected/datasets.json', import.meta.url), 'utf8'),
) as Expected;

export const NUMERIC = EXPECTED.datasets.filter((d): d is NumericDataset => d.type === 'numeric');
export const CATEGORICAL = EXPECTED.datasets.filter((d): d is CategoricalDataset => d.type === 'categorical');

/** Rows `{ x: value }` of a column. */
export const rows = (values: readonly unknown[], name = 'x') => values.map((v) => ({ [name]: v }));
