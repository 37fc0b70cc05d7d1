import { diag } from '@opentelemetry/api';
import { OTHER_VALUE } from '@mltel/semconv';

const MAX_WARNINGS = 1000;

/**
 * Reports each distinct problem once through `diag.warn`, so a hot loop of bad values costs one
 * log line, not one per call. Bounded: past 1000 distinct problems it stops warning.
 */
export class WarnOnce {
  private readonly seen = new Set<string>();

  /** Warns unless this key was warned about before. */
  warn(key: string, message: string): void {
    if (this.seen.has(key) || this.seen.size >= MAX_WARNINGS) return;
    this.seen.add(key);
    diag.warn(`mltel: ${message}`);
  }
}

/**
 * Keeps an attribute's values bounded: an allow-list, or the first `max` distinct values; any
 * other value becomes `_OTHER`. Long values are truncated. Non-strings are rejected (undefined).
 * An allow-list entry ending in `*` admits every value that starts with the rest of it
 * (`gpt-4o*` admits `gpt-4o-2024-08-06`); at most `max` distinct values pass through patterns.
 */
export class BoundedValues {
  private readonly known: Set<string>;
  private readonly open: boolean;
  private readonly prefixes: readonly string[];
  private matched = 0;

  constructor(
    private readonly attribute: string,
    private readonly max: number,
    private readonly maxLength: number,
    private readonly warnings: WarnOnce,
    allowList?: readonly string[],
  ) {
    const list = allowList ?? [];
    this.known = new Set(list.filter((entry) => !entry.endsWith('*')));
    this.prefixes = list.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
    this.open = allowList === undefined;
  }

  /** The value to record, or undefined when the value is not a non-empty string. */
  admit(value: unknown): string | undefined {
    if (typeof value !== 'string' || value === '') {
      this.warnings.warn(
        `invalid:${this.attribute}`,
        `${this.attribute} must be a non-empty string, got ${describeValue(value)}; the value is dropped`,
      );
      return undefined;
    }
    let v = value;
    if (v.length > this.maxLength) {
      this.warnings.warn(
        `long:${this.attribute}`,
        `${this.attribute} longer than ${this.maxLength} characters is truncated to ${this.maxLength}`,
      );
      v = v.slice(0, this.maxLength);
    }
    if (this.known.has(v)) return v;
    if (this.matched < this.max && this.prefixes.some((prefix) => v.startsWith(prefix))) {
      this.matched++;
      this.known.add(v);
      return v;
    }
    if (this.open && this.known.size < this.max) {
      this.known.add(v);
      return v;
    }
    this.warnings.warn(
      `overflow:${this.attribute}`,
      this.open
        ? `more than ${this.max} distinct ${this.attribute} values; further values are recorded as ${OTHER_VALUE}`
        : `${this.attribute} value outside the allow-list is recorded as ${OTHER_VALUE}`,
    );
    return OTHER_VALUE;
  }
}

/** A short, data-free description of a value's type for warnings. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `number ${value}`;
  return typeof value;
}

/** True for a finite, non-negative number (a duration, a count, a size). */
export function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
