// The attribute sets of the HTTP duration series (./http-metrics.ts), frozen and kept per key so
// that a request records with the same object as the previous ones of its series: kit's cell
// histograms buffer the values of such a set and hand them to the SDK in batches, instead of the
// SDK's sort and JSON.stringify of the attributes on every record.
import type { Attributes } from '@opentelemetry/api';

/** Series kept per instrument; past this many, a new series is recorded unbuffered (its own object). */
export const MAX_SERIES = 1000;

/** Frozen attribute sets by a key of their values. */
export class SeriesCache {
  private readonly sets = new Map<string, Attributes>();

  /** The set for `key`, built (and frozen) the first time; a fresh, unfrozen one once full. */
  get(key: string, build: () => Attributes): Attributes {
    const known = this.sets.get(key);
    if (known !== undefined) return known;
    const attributes = build();
    if (this.sets.size >= MAX_SERIES) return attributes;
    Object.freeze(attributes);
    this.sets.set(key, attributes);
    return attributes;
  }
}
