// Bins of a numeric feature: edges e_0 < ... < e_m from reference quantiles, then
// [underflow (< e_0), inner bins, overflow (> e_m)]. Inner bin i is [e_i, e_{i+1}) and the last
// one is closed [e_{m-1}, e_m], as numpy.histogram counts; a single edge (a reference of one
// repeated value) gives one inner bin holding exactly that value.

/** Number of bins (inner plus underflow and overflow) for these edges. */
export function binCount(edgeCount: number): number {
  return Math.max(1, edgeCount - 1) + 2;
}

/** The bin of a finite x: 0 underflow, 1..inner, last overflow. */
export function binIndex(edges: Float64Array, x: number): number {
  const last = edges.length - 1;
  if (x < edges[0]!) return 0;
  if (x > edges[last]!) return last === 0 ? 2 : last + 1;
  // Largest i with edges[i] <= x.
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (edges[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo === last && last > 0 ? last : lo + 1;
}

/** Quantile q of ascending `sorted` by numpy's default ("linear", Hyndman-Fan type 7), bit for bit. */
export function quantileLinear(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const index = (n - 1) * q;
  if (index >= n - 1) return sorted[n - 1]!;
  if (index < 0) return sorted[0]!;
  const previous = Math.floor(index);
  const gamma = index - previous;
  const a = sorted[previous]!;
  const b = sorted[previous + 1]!;
  const diff = b - a;
  // numpy's _lerp: the b side for t >= 0.5 keeps the result monotone and exact at t = 1.
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Unique ascending edges from quantiles k/bins, k = 0..bins, of `quantile(q)`. */
export function edgesFromQuantiles(bins: number, quantile: (q: number) => number): number[] {
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) {
    const e = quantile(k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return edges;
}
