// Drift statistics on binned counts: the reference profile's bin counts against the current
// window's. The formulas are fixed here and repeated in test/expected/generate.py, which checks
// them against numpy/scipy; change both together.
//
// p = reference counts / their sum, q = current counts / their sum, over the same bins.
// - PSI = sum_i (q'_i - p'_i) * ln(q'_i / p'_i), natural log, with p'_i = max(p_i, 1e-4) and
//   q'_i = max(q_i, 1e-4), so an empty bin on either side contributes a large but finite term.
// - Jensen-Shannon distance = sqrt of the JS divergence in base 2, exactly as
//   scipy.spatial.distance.jensenshannon(p, q, base=2) computes it: in 0..1, empty bins are fine.
// - Hellinger distance = sqrt(0.5 * sum_i (sqrt(p_i) - sqrt(q_i))^2), in 0..1.
// All return NaN when either side has no counts.

/** The floor that PSI puts under an empty bin's proportion. */
export const PSI_EPSILON = 1e-4;

function total(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i]!;
  return s;
}

/** Population stability index of `current` against `reference` (natural log, epsilon 1e-4). */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const sr = total(reference);
  const sc = total(current);
  if (!(sr > 0) || !(sc > 0) || reference.length !== current.length) return Number.NaN;
  let s = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = Math.max(reference[i]! / sr, PSI_EPSILON);
    const q = Math.max(current[i]! / sc, PSI_EPSILON);
    s += (q - p) * Math.log(q / p);
  }
  return s;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/** Jensen-Shannon distance (base 2, 0..1), as scipy.spatial.distance.jensenshannon. */
export function jensenShannon(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const sr = total(reference);
  const sc = total(current);
  if (!(sr > 0) || !(sc > 0) || reference.length !== current.length) return Number.NaN;
  let left = 0;
  let right = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / sr;
    const q = current[i]! / sc;
    const m = (p + q) / 2;
    left += relEntr(p, m);
    right += relEntr(q, m);
  }
  const divergence = (left + right) / Math.LN2;
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** Hellinger distance (0..1). */
export function hellinger(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const sr = total(reference);
  const sc = total(current);
  if (!(sr > 0) || !(sc > 0) || reference.length !== current.length) return Number.NaN;
  let s = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.sqrt(reference[i]! / sr) - Math.sqrt(current[i]! / sc);
    s += d * d;
  }
  return Math.sqrt(0.5 * s);
}
