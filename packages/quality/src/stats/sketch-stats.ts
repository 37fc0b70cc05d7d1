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

/** Walks both sketches' step CDFs in value order, calling `step(x, Fa(x), Fb(x), nextX)`. */
function walk(
  a: QuantileSketch,
  b: QuantileSketch,
  step: (x: number, fa: number, fb: number, next: number) => void,
): void {
  const va = a.sorted();
  const vb = b.sorted();
  const na = va.values.length;
  const nb = vb.values.length;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  while (i < na || j < nb) {
    const xa = i < na ? va.values[i]! : Number.POSITIVE_INFINITY;
    const xb = j < nb ? vb.values[j]! : Number.POSITIVE_INFINITY;
    const x = Math.min(xa, xb);
    while (i < na && va.values[i]! === x) ca = va.cumulative[i++]!;
    while (j < nb && vb.values[j]! === x) cb = vb.cumulative[j++]!;
    const nextA = i < na ? va.values[i]! : Number.POSITIVE_INFINITY;
    const nextB = j < nb ? vb.values[j]! : Number.POSITIVE_INFINITY;
    step(x, ca / a.n, cb / b.n, Math.min(nextA, nextB));
  }
}

/** Two-sample Kolmogorov-Smirnov statistic sup |Fa - Fb| (NaN when either sketch is empty). */
export function ksStatistic(a: QuantileSketch, b: QuantileSketch): number {
  if (a.n === 0 || b.n === 0) return Number.NaN;
  let d = 0;
  walk(a, b, (_x, fa, fb) => {
    const diff = Math.abs(fa - fb);
    if (diff > d) d = diff;
  });
  return d;
}

/** Wasserstein-1 distance, the integral of |Fa - Fb| (NaN when either sketch is empty). */
export function wasserstein(a: QuantileSketch, b: QuantileSketch): number {
  if (a.n === 0 || b.n === 0) return Number.NaN;
  let s = 0;
  walk(a, b, (x, fa, fb, next) => {
    if (next !== Number.POSITIVE_INFINITY) s += Math.abs(fa - fb) * (next - x);
  });
  return s;
}
