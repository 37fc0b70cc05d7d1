// A deterministic mergeable quantile sketch: a hierarchy of equal-size compactors, as in
// Manku, Rajagopalan and Lindsay, "Approximate medians and other quantiles in one pass and with
// limited memory" (SIGMOD 1998), in the compactor form of Agarwal, Cormode, Huang, Phillips, Wei
// and Yi, "Mergeable summaries" (PODS 2012, section 3) and KLL (Karnin, Lang, Liberty, FOCS 2016)
// without KLL's random coin: the kept half alternates between odd and even positions per level.
//
// Why written here: npm has no maintained KLL/GK sketch nor a two-sample KS over sketches
// (checked: the packages found were unmaintained or one-sample only).
//
// Error bound (deterministic, per instance): level h holds up to k values of weight 2^h. When it
// fills, it is sorted and every other value moves to level h+1 with twice the weight. For any x,
// one compaction of level h changes the estimated rank of x (total weight of kept values <= x)
// by at most 2^h (0 when an even number of the k values are <= x, ±2^h when odd). So the
// absolute rank error of every query is at most `rankErrorBound()` = the sum of 2^h over all
// compactions done, which is at most n * L / k for L levels that ever compacted,
// L <= floor(log2(n / k)) + 1. The normalized error eps = rankErrorBound() / n, e.g. k = 1024
// and n = 1e6 gives eps <= 0.0098, and 0 (exact) while n < k.
// Memory: at most k values per level, so at most k * (floor(log2(max(1, n / k))) + 2) stored
// doubles (`storedBound`); allocated, one k-double buffer per level reached plus one merge
// scratch buffer. Growth is logarithmic in n, so a window's sketch is bounded by the window size.
// Min and max are kept exactly, so the estimated CDF is exact below min and at or above max.

import { sortInto } from './sort.js';

/** Default number of values per level. */
export const DEFAULT_SKETCH_K = 1024;
const MAX_LEVELS = 64;

/** The sketch's contents in JSON: level h holds values of weight 2^h. */
export interface QuantileSketchJson {
  k: number;
  n: number;
  min: number | null;
  max: number | null;
  /** Absolute rank-error bound accumulated so far (sum of compaction weights). */
  errorWeight: number;
  levels: number[][];
}

/** The sketch's values in ascending order with their cumulative weights. */
export interface SortedView {
  values: Float64Array;
  /** cumulative[i] = total weight of values[0..i]. */
  cumulative: Float64Array;
}

/**
 * A bounded-memory quantile sketch of finite numbers with a deterministic rank-error bound
 * (see the header of this file). `add` is amortised O(log k).
 */
export class QuantileSketch {
  readonly k: number;
  private level0: Float64Array;
  private size0 = 0;
  /** Levels 1.. (index 0 unused), each a Float64Array of capacity k. */
  private readonly upper: Float64Array[] = [];
  private readonly upperSizes: number[] = [];
  private readonly offsets: number[] = [];
  private count = 0;
  /**
   * Min and max of the values up to the last compaction, and of level0[0..folded): add() leaves
   * them alone (two compares per value saved), compaction takes level 0's from the pass its sort
   * needs anyway, and `fold()` brings them up to date before they are read.
   */
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = Number.NEGATIVE_INFINITY;
  private folded = 0;
  /** Bucket bounds for the next sort of level 0: the range of the last one sorted (NaN: none). */
  private rangeLow = Number.NaN;
  private rangeHigh = Number.NaN;
  private errorWeight = 0;
  private view: SortedView | undefined;
  /** n when `view` was computed: the view is stale once n moved on (add() stores nothing for it). */
  private viewCount = -1;
  private scratch: Float64Array | undefined;
  private frozen = false;

  constructor(k: number = DEFAULT_SKETCH_K) {
    // An even k keeps the total weight exactly n through compactions.
    this.k = Math.max(2, Math.floor(k / 2) * 2);
    this.level0 = new Float64Array(this.k);
  }

  /** Number of values added. */
  get n(): number {
    return this.count;
  }

  /** Smallest value added (Infinity when empty). */
  get min(): number {
    this.fold();
    return this.minimum;
  }

  /** Largest value added (-Infinity when empty). */
  get max(): number {
    this.fold();
    return this.maximum;
  }

  /** Adds one finite number (the caller filters NaN and infinities); ignored by a frozen sketch. */
  add(x: number): void {
    if (this.frozen) return;
    this.count++;
    this.level0[this.size0++] = x;
    if (this.size0 === this.k) this.compact0();
  }

  /** Brings min and max up to date with the values of level 0 added since the last fold. */
  private fold(): void {
    const level0 = this.level0;
    let min = this.minimum;
    let max = this.maximum;
    for (let i = this.folded; i < this.size0; i++) {
      const x = level0[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.minimum = min;
    this.maximum = max;
    this.folded = this.size0;
  }

  /** Absolute rank-error bound: every rank estimate is within this many values of the truth. */
  rankErrorBound(): number {
    return this.errorWeight;
  }

  /** Normalized rank-error bound eps: every CDF estimate is within eps of the truth (0 when empty). */
  epsilon(): number {
    return this.count === 0 ? 0 : this.errorWeight / this.count;
  }

  /** Number of values stored (at most k per level). */
  storedValues(): number {
    let s = this.size0;
    for (let h = 1; h < this.upper.length; h++) s += this.upperSizes[h] ?? 0;
    return s;
  }

  /** The stated memory bound in stored values for n added values: k * (floor(log2(max(1, n/k))) + 2). */
  static storedBound(k: number, n: number): number {
    return k * (Math.floor(Math.log2(Math.max(1, n / k))) + 2);
  }

  /** Empties the sketch, keeping its buffers. */
  reset(): void {
    this.size0 = 0;
    for (let h = 1; h < this.upperSizes.length; h++) this.upperSizes[h] = 0;
    this.count = 0;
    this.minimum = Number.POSITIVE_INFINITY;
    this.maximum = Number.NEGATIVE_INFINITY;
    this.errorWeight = 0;
    this.folded = 0;
    this.view = undefined;
  }

  private compact0(): void {
    const k = this.k;
    // The sort is most of the cost of add(): a bucket sort (./sort.ts) into a shared buffer
    // (this runs synchronously), from which every other value moves up. Its buckets span the
    // previous buffer's range, and the new min and max are the ends of the sorted values: no
    // pass for them (add() does not track them either).
    // Measured on node 24: Float64Array.prototype.sort took 65 ns per value for 1024 values,
    // a quicksort 18.5 ns, the bucket sort 3 times less than the quicksort for smooth data.
    const sorted = sortOutput(k);
    sortInto(this.level0, k, sorted, this.rangeLow, this.rangeHigh);
    this.foldRange(sorted[0]!, sorted[k - 1]!);
    this.folded = 0;
    this.size0 = 0;
    this.promote(sorted, 0);
  }

  /** Takes the min and max of a sorted level 0 into the sketch's, and as the next sort's bounds. */
  private foldRange(min: number, max: number): void {
    if (min < this.minimum) this.minimum = min;
    if (max > this.maximum) this.maximum = max;
    this.rangeLow = min;
    this.rangeHigh = max;
  }

  /** Moves every other value of the full, sorted `buffer` at level h to level h+1. */
  private promote(buffer: Float64Array, h: number): void {
    const offset = this.offsets[h] ?? 0;
    this.offsets[h] = 1 - offset;
    this.errorWeight += 2 ** h;
    const target = h + 1;
    if (target >= MAX_LEVELS) return; // unreachable below 2^63 * k values
    while (this.upper.length <= target) {
      this.upper.push(new Float64Array(this.upper.length === 0 ? 0 : this.k));
      this.upperSizes.push(0);
    }
    const dest = this.upper[target]!;
    const size = this.upperSizes[target]!;
    const half = this.k / 2;
    if (size === half) {
      // Levels above 0 only ever receive sorted halves: merge instead of sorting.
      this.scratch ??= new Float64Array(this.k);
      const scratch = this.scratch;
      let a = 0;
      let b = offset;
      let o = 0;
      while (a < half && b < this.k) {
        const x = dest[a]!;
        const y = buffer[b]!;
        if (x <= y) {
          scratch[o++] = x;
          a++;
        } else {
          scratch[o++] = y;
          b += 2;
        }
      }
      while (a < half) scratch[o++] = dest[a++]!;
      while (b < this.k) {
        scratch[o++] = buffer[b]!;
        b += 2;
      }
      // The merged values become the level's buffer, and its old buffer the scratch (no copy).
      this.upper[target] = scratch;
      this.scratch = dest;
      this.upperSizes[target] = 0;
      this.promote(scratch, target);
      return;
    }
    // size is 0 here: levels above 0 hold 0 or k/2 values (fromJSON checks it).
    let n = 0;
    for (let i = offset; i < this.k; i += 2) dest[n++] = buffer[i]!;
    this.upperSizes[target] = n;
  }

  /** All stored values in ascending order with cumulative weights (cached until the next add). */
  sorted(): SortedView {
    if (this.view !== undefined && this.viewCount === this.count) return this.view;
    const merged = this.merge();
    this.view = { values: merged.values.slice(), cumulative: merged.cumulative.slice() };
    this.viewCount = this.count;
    return this.view;
  }

  /**
   * The view of `sorted()` without allocating it: the cached view when there is one, else one
   * in buffers shared by every sketch, valid only until the next sorted() or transientView() of
   * any sketch. For sketchDistances, which scores each window's sketch once, just before
   * reset(): sorted() would allocate and fill two arrays of every stored value per window and
   * feature, only to drop them. (With the walk of sketch-stats.ts reworked, 4.5% less time for
   * adds plus scoring, alternating A/B in one process.)
   * @internal
   */
  transientView(): SortedView {
    if (this.view !== undefined && this.viewCount === this.count) return this.view;
    return this.merge();
  }

  /** Merges the levels into the shared scratch buffers (see transientView). */
  private merge(): SortedView {
    // Levels above 0 are sorted already: sort level 0 into the buffer, then merge level by level
    // (linear per level; a comparator sort here cost more than all the adds of a window). The
    // merges run in scratch buffers shared by every sketch (this runs synchronously).
    const total = this.storedValues();
    const scratch = mergeScratch(total);
    let values = scratch[0];
    let weights = scratch[1];
    let spareValues = scratch[2];
    let spareWeights = scratch[3];
    sortInto(this.level0, this.size0, values, this.rangeLow, this.rangeHigh);
    if (this.size0 > 0) this.foldRange(values[0]!, values[this.size0 - 1]!);
    this.folded = this.size0;
    weights.fill(1, 0, this.size0);
    let length = this.size0;
    for (let h = 1; h < this.upper.length; h++) {
      const size = this.upperSizes[h]!;
      if (size === 0) continue;
      const level = this.upper[h]!;
      const weight = 2 ** h;
      const n = length + size;
      let a = 0;
      let b = 0;
      for (let o = 0; o < n; o++) {
        if (b >= size || (a < length && values[a]! <= level[b]!)) {
          spareValues[o] = values[a]!;
          spareWeights[o] = weights[a++]!;
        } else {
          spareValues[o] = level[b++]!;
          spareWeights[o] = weight;
        }
      }
      const v = values;
      values = spareValues;
      spareValues = v;
      const w = weights;
      weights = spareWeights;
      spareWeights = w;
      length = n;
    }
    // The weights become the cumulative weights, in place.
    let c = 0;
    for (let i = 0; i < length; i++) {
      c += weights[i]!;
      weights[i] = c;
    }
    return { values: values.subarray(0, length), cumulative: weights.subarray(0, length) };
  }

  /** Estimated fraction of values <= x (exact below min and at or above max). */
  cdf(x: number): number {
    if (this.count === 0) return Number.NaN;
    this.fold();
    if (x < this.minimum) return 0;
    if (x >= this.maximum) return 1;
    const { values, cumulative } = this.sorted();
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : cumulative[lo - 1]! / this.count;
  }

  /** The smallest stored value whose estimated rank reaches q * n (min at q = 0, max at q = 1). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    this.fold();
    if (q <= 0) return this.minimum;
    if (q >= 1) return this.maximum;
    const { values, cumulative } = this.sorted();
    const target = q * this.count;
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! >= target) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  }

  /** The sketch as JSON (for a reference profile). */
  toJSON(): QuantileSketchJson {
    this.fold();
    const levels: number[][] = [Array.from(this.level0.subarray(0, this.size0))];
    for (let h = 1; h < this.upper.length; h++) levels.push(Array.from(this.upper[h]!.subarray(0, this.upperSizes[h])));
    return {
      k: this.k,
      n: this.count,
      min: this.count === 0 ? null : this.minimum,
      max: this.count === 0 ? null : this.maximum,
      errorWeight: this.errorWeight,
      levels,
    };
  }

  /**
   * A sketch from its JSON, or undefined when the JSON is not a consistent sketch. `frozen`: a
   * read-only sketch (a profile's reference) whose levels take only the space of their values;
   * `add` then does nothing.
   */
  static fromJSON(json: unknown, frozen = false): QuantileSketch | undefined {
    if (typeof json !== 'object' || json === null) return undefined;
    const j = json as Partial<QuantileSketchJson>;
    if (!isCount(j.k) || j.k < 2 || j.k % 2 !== 0 || j.k > 1 << 20 || !isCount(j.n) || !isCount(j.errorWeight))
      return undefined;
    if (!Array.isArray(j.levels) || j.levels.length > MAX_LEVELS) return undefined;
    const sketch = new QuantileSketch(j.k);
    let weight = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let h = 0; h < j.levels.length; h++) {
      const level = j.levels[h];
      if (!Array.isArray(level) || level.length >= j.k) return undefined;
      // Levels above 0 hold 0 or k/2 sorted values, as compaction leaves them.
      if (h > 0 && level.length !== 0 && level.length !== j.k / 2) return undefined;
      for (let i = 0; i < level.length; i++) {
        const v: unknown = level[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
        if (h > 0 && i > 0 && v < (level[i - 1] as number)) return undefined;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      weight += level.length * 2 ** h;
      if (h === 0) {
        if (frozen) sketch.level0 = new Float64Array(level.length);
        sketch.level0.set(level);
        sketch.size0 = level.length;
      } else {
        while (sketch.upper.length <= h) {
          sketch.upper.push(new Float64Array(sketch.upper.length === 0 || frozen ? 0 : sketch.k));
          sketch.upperSizes.push(0);
        }
        if (frozen) sketch.upper[h] = new Float64Array(level.length);
        sketch.upper[h]!.set(level);
        sketch.upperSizes[h] = level.length;
      }
    }
    if (weight !== j.n) return undefined;
    if (j.n > 0) {
      if (typeof j.min !== 'number' || typeof j.max !== 'number' || !(j.min <= min) || !(j.max >= max))
        return undefined;
      sketch.minimum = j.min;
      sketch.maximum = j.max;
    }
    sketch.count = j.n;
    sketch.folded = sketch.size0; // j.min and j.max cover level 0 (checked above)
    sketch.errorWeight = j.errorWeight;
    sketch.frozen = frozen;
    return sketch;
  }
}

type MergeBuffers = [Float64Array, Float64Array, Float64Array, Float64Array];

/** Stored values up to which sorted()'s merge buffers are kept for the next call (4 x 512 KiB). */
const KEPT_SCRATCH = 1 << 16;
/** Merge buffers of sorted(): values, weights, and a spare pair; shared, kept up to KEPT_SCRATCH. */
let scratchBuffers: MergeBuffers | undefined;

function mergeScratch(size: number): MergeBuffers {
  if (scratchBuffers !== undefined && scratchBuffers[0].length >= size) return scratchBuffers;
  const length = Math.max(size, 4096);
  const buffers: MergeBuffers = [
    new Float64Array(length),
    new Float64Array(length),
    new Float64Array(length),
    new Float64Array(length),
  ];
  // A huge sketch (k in the hundreds of thousands) gets buffers of its own, not kept.
  if (length <= KEPT_SCRATCH) scratchBuffers = buffers;
  return buffers;
}

/** Where compact0 sorts level 0 to (shared: compaction runs synchronously), kept up to KEPT_SCRATCH. */
let sortBuffer = new Float64Array(0);

function sortOutput(k: number): Float64Array {
  if (sortBuffer.length >= k) return sortBuffer;
  const buffer = new Float64Array(Math.max(k, DEFAULT_SKETCH_K));
  if (k <= KEPT_SCRATCH) sortBuffer = buffer;
  return buffer;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
