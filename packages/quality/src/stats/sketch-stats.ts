// Two-sample statistics on two quantile sketches. With exact sketches (fewer than k values each)
// they equal scipy.stats.ks_2samp(...).statistic and scipy.stats.wasserstein_distance; with
// compacted sketches of normalized rank errors eps_a and eps_b (QuantileSketch.epsilon()):
// - KS: each estimated CDF is within eps of the true one everywhere, so
//   |KS_estimate - KS| <= eps_a + eps_b.
// - Wasserstein-1 = integral of |F_a - F_b| dx: the estimated CDFs are exact outside
//   [min(min_a, min_b), max(max_a, max_b)] (min and max are kept exactly), so
//   |W_estimate - W| <= (eps_a + eps_b) * (max - min) over that range.
import type { QuantileSketch } from './quantile-sketch.js';

/** The error bounds of `ksStatistic` and `wasserstein` for these two sketches. */
export function sketchErrorBounds(a: QuantileSketch, b: QuantileSketch): { ks: number; wasserstein: number } {
  const eps = a.epsilon() + b.epsilon();
  const range = Math.max(a.max, b.max) - Math.min(a.min, b.min);
  return { ks: eps, wasserstein: eps * (Number.isFinite(range) ? range : 0) };
}

/**
 * KS and Wasserstein-1 of two sketches in one walk of their step CDFs in value order (NaN when
 * either sketch is empty). One loop without callbacks: a window's scoring walks every stored
 * value of both sketches, and a callback per step cost as much as the walk.
 */
export function sketchDistances(a: QuantileSketch, b: QuantileSketch): { ks: number; wasserstein: number } {
  if (a.n === 0 || b.n === 0) return { ks: Number.NaN, wasserstein: Number.NaN };
  const va = a.sorted();
  const vb = b.sorted();
  const xa = va.values;
  const xb = vb.values;
  const na = xa.length;
  const nb = xb.length;
  const wa = a.n;
  const wb = b.n;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let ks = 0;
  let w = 0;
  while (i < na || j < nb) {
    const ya = i < na ? xa[i]! : Number.POSITIVE_INFINITY;
    const yb = j < nb ? xb[j]! : Number.POSITIVE_INFINITY;
    const x = Math.min(ya, yb);
    while (i < na && xa[i]! === x) ca = va.cumulative[i++]!;
    while (j < nb && xb[j]! === x) cb = vb.cumulative[j++]!;
    const diff = Math.abs(ca / wa - cb / wb);
    if (diff > ks) ks = diff;
    const nextA = i < na ? xa[i]! : Number.POSITIVE_INFINITY;
    const nextB = j < nb ? xb[j]! : Number.POSITIVE_INFINITY;
    const next = Math.min(nextA, nextB);
    if (next !== Number.POSITIVE_INFINITY) w += diff * (next - x);
  }
  return { ks, wasserstein: w };
}

/** Two-sample Kolmogorov-Smirnov statistic sup |Fa - Fb| (NaN when either sketch is empty). */
export function ksStatistic(a: QuantileSketch, b: QuantileSketch): number {
  return sketchDistances(a, b).ks;
}

/** Wasserstein-1 distance, the integral of |Fa - Fb| (NaN when either sketch is empty). */
export function wasserstein(a: QuantileSketch, b: QuantileSketch): number {
  return sketchDistances(a, b).wasserstein;
}
