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
  // a's view is allocated and cached (a profile's reference is scored against every window);
  // b's may live in shared buffers (a window's sketch, scored once), so it is taken second.
  const va = a.sorted();
  const vb = b.transientView();
  const xa = va.values;
  const xb = vb.values;
  const sa = va.cumulative;
  const sb = vb.cumulative;
  const na = xa.length;
  const nb = xb.length;
  const wa = a.n;
  const wb = b.n;
  const INF = Number.POSITIVE_INFINITY;
  let i = 0;
  let j = 0;
  // The CDFs at the current step, each divided once when its side moves (the same quotient as
  // dividing at every step), and the next value of each side (Infinity past the end).
  let fa = 0;
  let fb = 0;
  let ya = na > 0 ? xa[0]! : INF;
  let yb = nb > 0 ? xb[0]! : INF;
  let ks = 0;
  let w = 0;
  while (ya !== INF || yb !== INF) {
    const x = Math.min(ya, yb);
    if (ya === x) {
      while (i < na && xa[i]! === x) i++;
      fa = sa[i - 1]! / wa;
      ya = i < na ? xa[i]! : INF;
    }
    if (yb === x) {
      while (j < nb && xb[j]! === x) j++;
      fb = sb[j - 1]! / wb;
      yb = j < nb ? xb[j]! : INF;
    }
    const diff = Math.abs(fa - fb);
    if (diff > ks) ks = diff;
    const next = Math.min(ya, yb);
    if (next !== INF) w += diff * (next - x);
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
