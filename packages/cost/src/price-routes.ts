// Price lookups resolved once per (provider, model, response model): a lookup tries up to five
// names with regular expressions (prefix, dated suffixes) and compares dates, 0.5-1 µs per call;
// a priced call looks the same names up again and again. The catalog says when it changed.
import type { PriceEntry } from './prices/types.js';
import { PriceCatalog } from './prices/catalog.js';
import type { PriceMatch } from './prices/catalog.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Routes kept; past this many distinct names (callers' model strings) the cache starts over. */
export const MAX_ROUTES = 4096;

/**
 * A {@link PriceCatalog} that counts its changes and knows the dates its prices start on, so a
 * cached lookup knows when it may be stale: after an `add`, or once the clock passes a date.
 */
export class VersionedCatalog extends PriceCatalog {
  /** Bumped by every {@link add}. */
  version = 0;
  private readonly dates: number[] = [];

  override add(entries: readonly PriceEntry[], origin: Parameters<PriceCatalog['add']>[1]): string[] {
    this.version++;
    try {
      for (const entry of Array.isArray(entries) ? entries : []) {
        const from = (entry as { effectiveFrom?: unknown } | null)?.effectiveFrom;
        if (typeof from !== 'string' || !DATE.test(from)) continue;
        const at = Date.parse(`${from}T00:00:00Z`);
        if (!Number.isNaN(at) && !this.dates.includes(at)) this.dates.push(at);
      }
      this.dates.sort((a, b) => a - b);
    } catch {
      // An entry that throws while read is rejected by the catalog below; no date is lost.
    }
    return super.add(entries, origin);
  }

  /** The interval of dates around `at` within which no price starts or ends: [from, until). */
  stableAround(at: number): { from: number; until: number } {
    let from = Number.NEGATIVE_INFINITY;
    for (const date of this.dates) {
      if (date > at) return { from, until: date };
      from = date;
    }
    return { from, until: Number.POSITIVE_INFINITY };
  }
}

interface Route {
  readonly provider: string;
  readonly model: string | undefined;
  readonly responseModel: string | undefined;
  readonly match: PriceMatch | undefined;
  readonly version: number;
  readonly from: number;
  readonly until: number;
}

/** The price of a call's model, looked up once per names and catalog version. */
export class PriceRoutes {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly catalog: VersionedCatalog) {}

  /**
   * The price of the model that answered (`responseModel`), else of the requested one, at
   * `provider` for a call at `at`: the same as two {@link PriceCatalog.lookup}s.
   */
  lookup(
    provider: string,
    model: string | undefined,
    responseModel: string | undefined,
    at: number,
  ): PriceMatch | undefined {
    // \u0001 marks an absent name. Names that hold \u0000 could share a key: the route keeps
    // its names, and one of other names is looked up afresh (and replaces it).
    const key = `${provider}\u0000${model ?? '\u0001'}\u0000${responseModel ?? '\u0001'}`;
    const route = this.routes.get(key);
    if (
      route !== undefined &&
      route.version === this.catalog.version &&
      at >= route.from &&
      at < route.until &&
      route.provider === provider &&
      route.model === model &&
      route.responseModel === responseModel
    ) {
      return route.match;
    }
    const match =
      (responseModel === undefined ? undefined : this.catalog.lookup(provider, responseModel, at)) ??
      (model === undefined ? undefined : this.catalog.lookup(provider, model, at));
    if (this.routes.size >= MAX_ROUTES) this.routes.clear();
    const { from, until } = this.catalog.stableAround(at);
    this.routes.set(key, { provider, model, responseModel, match, version: this.catalog.version, from, until });
    return match;
  }
}
