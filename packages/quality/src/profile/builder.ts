// Builds a reference profile from rows in bounded memory, in two passes over the data:
// pass 1 (`add`) fills each numeric feature's quantile sketch and counts categories; `endPass1`
// fixes the bin edges from the sketch's quantiles; pass 2 (`count`) counts the numeric values
// into those bins. `buildProfile` does both passes over in-memory columns with exact
// (numpy "linear") quantiles instead of the sketch's.
import { binCount, binIndex, edgesFromQuantiles, quantileLinear } from '../stats/bins.js';
import { DEFAULT_SKETCH_K, QuantileSketch } from '../stats/quantile-sketch.js';
import { MAX_NAME_LENGTH, MAX_PROFILE_CATEGORIES, MAX_PROFILE_EDGES, MAX_PROFILE_FEATURES } from './parse.js';
import type { CategoricalFeatureProfile, NumericFeatureProfile, ReferenceProfile } from './types.js';
import { PROFILE_FORMAT, PROFILE_VERSION } from './types.js';

/** Default number of inner bins per numeric feature. */
export const DEFAULT_BINS = 10;
/** Default number of categories a categorical profile keeps (the rest are "other"). */
export const DEFAULT_MAX_CATEGORIES = 50;
/** Distinct categories counted exactly while building; later new ones count as "other". */
export const MAX_DISTINCT_WHILE_BUILDING = 10_000;

/** Which columns to profile, and how. */
export interface ProfileOptions {
  numeric?: readonly string[];
  categorical?: readonly string[];
  /** Column holding the prediction confidence (numeric, 0..1). */
  confidence?: string;
  /** Column holding the predicted class (categorical). */
  prediction?: string;
  /** Inner bins per numeric feature (default 10). */
  bins?: number;
  maxCategories?: number;
  /** Values per sketch level (default 1024): see QuantileSketch for the error bound. */
  sketchK?: number;
}

// Decimal and exponent forms only: `Number()` alone also reads "0x10" as 16, "0b1", "0o7",
// "Infinity", so a column of hex ids would be profiled as numbers. The fraction is a separate
// optional group after the integer digits, so a long run of digits fails in linear time.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A number from a number or a numeric string (optional sign, digits with an optional fraction,
 * an optional exponent; surrounding spaces ignored); NaN otherwise (hex, `Infinity`, `1_000`…).
 */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const text = value.trim();
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/** A category from a string, number or boolean; undefined when missing or another type. */
export function toCategory(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

class NumericBuilder {
  readonly sketch: QuantileSketch;
  invalid = 0;
  edges: Float64Array | undefined;
  counts: Float64Array | undefined;

  constructor(
    readonly name: string,
    k: number,
  ) {
    this.sketch = new QuantileSketch(k);
  }

  add(value: unknown): void {
    const x = toNumber(value);
    if (Number.isFinite(x)) this.sketch.add(x);
    else this.invalid++;
  }

  setEdges(edges: number[]): void {
    this.edges = Float64Array.from(edges);
    this.counts = new Float64Array(binCount(edges.length));
  }

  count(value: unknown): void {
    const x = toNumber(value);
    if (Number.isFinite(x) && this.edges && this.counts && this.edges.length > 0)
      this.counts[binIndex(this.edges, x)]!++;
  }

  finish(): NumericFeatureProfile {
    return {
      name: this.name,
      type: 'numeric',
      count: this.sketch.n,
      invalid: this.invalid,
      edges: this.edges ? Array.from(this.edges) : [],
      counts: this.counts ? Array.from(this.counts) : [],
      sketch: this.sketch.toJSON(),
    };
  }
}

class CategoricalBuilder {
  private readonly frequencies = new Map<string, number>();
  private overflow = 0;
  invalid = 0;
  count = 0;

  constructor(
    readonly name: string,
    private readonly maxCategories: number,
  ) {}

  add(value: unknown): void {
    const c = toCategory(value);
    if (c === undefined) {
      this.invalid++;
      return;
    }
    this.count++;
    // A category the profile could not hold (parseProfile refuses it) is "other" here, as it is
    // "other" when compared: it can never equal a kept category. Not truncated, which would merge
    // distinct values and still not match the full value at compare time.
    if (c.length > MAX_NAME_LENGTH) {
      this.overflow++;
      return;
    }
    const seen = this.frequencies.get(c);
    if (seen !== undefined) this.frequencies.set(c, seen + 1);
    else if (this.frequencies.size < MAX_DISTINCT_WHILE_BUILDING) this.frequencies.set(c, 1);
    else this.overflow++;
  }

  finish(): CategoricalFeatureProfile {
    const ranked = [...this.frequencies].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const kept = ranked.slice(0, this.maxCategories);
    let other = this.overflow;
    for (const [, n] of ranked.slice(this.maxCategories)) other += n;
    return {
      name: this.name,
      type: 'categorical',
      count: this.count,
      invalid: this.invalid,
      categories: kept.map(([c]) => c),
      counts: [...kept.map(([, n]) => n), other],
    };
  }
}

/** A whole number in 1..max from an option, the default when it is not a finite number. */
function within(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(value)));
}

const shown = (name: string) => (name.length > 20 ? `${name.slice(0, 20)}… (${name.length} characters)` : name);

/**
 * The builder writes only profiles parseProfile reads back: every column name non-empty and at
 * most MAX_NAME_LENGTH characters, no column both numeric and categorical, at most
 * MAX_PROFILE_FEATURES features. A configuration error, so it throws at construction, before any
 * data is read, rather than producing a file that `compare` and the monitor refuse.
 */
function checkNames(options: ProfileOptions): void {
  const check = (option: string, name: unknown) => {
    if (typeof name !== 'string') throw new TypeError(`ProfileBuilder ${option}: column names must be strings`);
    if (name === '') throw new RangeError(`ProfileBuilder ${option}: a column name is empty`);
    if (name.length > MAX_NAME_LENGTH) {
      throw new RangeError(
        `ProfileBuilder ${option}: the column name "${shown(name)}" is longer than ${MAX_NAME_LENGTH} characters, which a profile cannot hold; rename the column`,
      );
    }
  };
  const features = [...(options.numeric ?? []), ...(options.categorical ?? [])];
  for (const name of options.numeric ?? []) check('numeric', name);
  for (const name of options.categorical ?? []) check('categorical', name);
  if (options.confidence !== undefined) check('confidence', options.confidence);
  if (options.prediction !== undefined) check('prediction', options.prediction);
  if (features.length > MAX_PROFILE_FEATURES) {
    throw new RangeError(
      `ProfileBuilder: ${features.length} features, more than a profile may have (${MAX_PROFILE_FEATURES})`,
    );
  }
  const seen = new Set<string>();
  for (const name of features) {
    if (seen.has(name))
      throw new RangeError(`ProfileBuilder: the column "${shown(name)}" is given twice (numeric and categorical)`);
    seen.add(name);
  }
}

/** Streaming two-pass profile builder (see the file header). */
export class ProfileBuilder {
  private readonly numeric: NumericBuilder[];
  private readonly categorical: CategoricalBuilder[];
  private readonly confidence: NumericBuilder | undefined;
  private readonly prediction: CategoricalBuilder | undefined;
  private readonly bins: number;
  private rows = 0;

  /** Throws (naming the option) for a column name the profile could not hold; see checkNames. */
  constructor(readonly options: ProfileOptions) {
    checkNames(options);
    const k = options.sketchK ?? DEFAULT_SKETCH_K;
    const maxCategories = within(options.maxCategories, DEFAULT_MAX_CATEGORIES, MAX_PROFILE_CATEGORIES);
    this.bins = within(options.bins, DEFAULT_BINS, MAX_PROFILE_EDGES - 1);
    this.numeric = (options.numeric ?? []).map((name) => new NumericBuilder(name, k));
    this.categorical = (options.categorical ?? []).map((name) => new CategoricalBuilder(name, maxCategories));
    this.confidence = options.confidence === undefined ? undefined : new NumericBuilder(options.confidence, k);
    this.prediction =
      options.prediction === undefined ? undefined : new CategoricalBuilder(options.prediction, maxCategories);
  }

  /** Pass 1: one row (a record of column values). */
  add(row: Record<string, unknown>): void {
    this.rows++;
    for (const f of this.numeric) f.add(row[f.name]);
    for (const f of this.categorical) f.add(row[f.name]);
    this.confidence?.add(row[this.confidence.name]);
    this.prediction?.add(row[this.prediction.name]);
  }

  /** Ends pass 1: bin edges from each sketch's quantiles. */
  endPass1(): void {
    for (const f of this.numericBuilders()) {
      if (f.sketch.n > 0) f.setEdges(edgesFromQuantiles(this.bins, (q) => f.sketch.quantile(q)));
    }
  }

  /** Pass 2: the same row again, counted into the bins. */
  count(row: Record<string, unknown>): void {
    for (const f of this.numericBuilders()) f.count(row[f.name]);
  }

  /** Sets exact edges from in-memory values (used by buildProfile). */
  setExactEdges(name: string, sortedValues: Float64Array): void {
    const f = this.numericBuilders().find((b) => b.name === name);
    if (f && sortedValues.length > 0) f.setEdges(edgesFromQuantiles(this.bins, (q) => quantileLinear(sortedValues, q)));
  }

  /** Number of rows read in pass 1. */
  get rowCount(): number {
    return this.rows;
  }

  /** The finished profile. */
  finish(createdAt: Date = new Date()): ReferenceProfile {
    const profile: ReferenceProfile = {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      createdAt: createdAt.toISOString(),
      rows: this.rows,
      features: [...this.numeric.map((f) => f.finish()), ...this.categorical.map((f) => f.finish())],
    };
    if (this.confidence) profile.confidence = this.confidence.finish();
    if (this.prediction) profile.prediction = this.prediction.finish();
    return profile;
  }

  private numericBuilders(): NumericBuilder[] {
    return this.confidence ? [...this.numeric, this.confidence] : this.numeric;
  }
}

/**
 * A profile from in-memory rows, with exact bin edges (numpy's default quantiles of the finite
 * values): the reference for tests and small data. For large files use ProfileBuilder.
 */
export function buildProfile(rows: readonly Record<string, unknown>[], options: ProfileOptions): ReferenceProfile {
  const builder = new ProfileBuilder(options);
  for (const row of rows) builder.add(row);
  const numericNames = [...(options.numeric ?? []), ...(options.confidence === undefined ? [] : [options.confidence])];
  for (const name of numericNames) {
    const values = rows.map((r) => toNumber(r[name])).filter(Number.isFinite);
    builder.setExactEdges(name, Float64Array.from(values).sort());
  }
  for (const row of rows) builder.count(row);
  return builder.finish();
}
