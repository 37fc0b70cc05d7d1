import type Big from 'big.js';
import { decimal } from '../money.js';
import type { Usd } from '../money.js';
import type { PriceEntry, PriceTier } from './types.js';

/** The rates a price can have. */
export const RATES = [
  'input',
  'output',
  'cacheRead',
  'cacheWrite',
  'reasoning',
  'audioInput',
  'image',
  'audioSecond',
  'videoSecond',
  'character',
  'request',
] as const;
/** One rate name. */
export type Rate = (typeof RATES)[number];
type Rates = Partial<Record<Rate, Big>>;
const TIER_RATES = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;

/** Where a price came from: prices given in code (`user`) win over price files, which win over the defaults. */
export type PriceOrigin = 'default' | 'file' | 'user';
const RANK: Record<PriceOrigin, number> = { default: 0, file: 1, user: 2 };
const TOP_RANK = 2;

/** A price as the catalog holds it: exact decimal rates, its date as a number. */
export interface Price {
  readonly provider: string;
  readonly model: string;
  /** UTC milliseconds from which it applies (-Infinity: always). */
  readonly effectiveFrom: number;
  readonly rates: Readonly<Rates>;
  readonly tiers: readonly { readonly aboveInputTokens: number; readonly rates: Readonly<Rates> }[];
  readonly origin: PriceOrigin;
  readonly source: string | undefined;
}

/** How a model name found its price. */
export type MatchKind = 'exact' | 'unprefixed' | 'undated' | 'provider';

/** The model name of a price for every model of its provider (local runtimes such as Ollama: free). */
export const ANY_MODEL = '*';

/** A lookup result: the price and how the name matched. */
export interface PriceMatch {
  readonly price: Price;
  readonly matched: MatchKind;
  readonly model: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Dated model names and their undated base: gpt-4o-2024-08-06, claude-3-5-sonnet-20241022,
// claude-3-7-sonnet@20250219 (Vertex), ...-latest.
const DATED_SUFFIXES = [/-\d{4}-\d{2}-\d{2}$/, /[-@]\d{8}$/, /-latest$/];

function rates(
  entry: Pick<PriceEntry, Rate> | PriceTier,
  names: readonly Rate[],
  problems: string[],
  label: string,
): Rates {
  const result: Rates = {};
  for (const name of names) {
    const value = (entry as Partial<Record<Rate, Usd>>)[name];
    if (value === undefined || value === null) continue;
    const amount = decimal(value);
    if (amount === undefined) {
      problems.push(`${label}: ${name} ${JSON.stringify(value)} is not a decimal >= 0`);
      continue;
    }
    result[name] = amount;
  }
  return result;
}

/** Validates and normalises an entry; the problems found are appended to `problems`. */
export function normalisePrice(entry: PriceEntry, origin: PriceOrigin, problems: string[]): Price | undefined {
  if (typeof entry !== 'object' || entry === null) {
    problems.push('a price entry is not an object');
    return undefined;
  }
  const { provider, model } = entry;
  if (typeof provider !== 'string' || provider === '' || typeof model !== 'string' || model === '') {
    problems.push(`a price entry needs provider and model strings, got ${JSON.stringify({ provider, model })}`);
    return undefined;
  }
  const label = `${provider}/${model}`;
  let effectiveFrom = Number.NEGATIVE_INFINITY;
  if (entry.effectiveFrom !== undefined) {
    if (
      typeof entry.effectiveFrom !== 'string' ||
      !DATE.test(entry.effectiveFrom) ||
      Number.isNaN(Date.parse(`${entry.effectiveFrom}T00:00:00Z`))
    ) {
      problems.push(`${label}: effectiveFrom ${JSON.stringify(entry.effectiveFrom)} is not a YYYY-MM-DD date`);
      return undefined;
    }
    effectiveFrom = Date.parse(`${entry.effectiveFrom}T00:00:00Z`);
  }
  const tiers = [];
  for (const tier of Array.isArray(entry.tiers) ? entry.tiers : []) {
    if (typeof tier?.aboveInputTokens !== 'number' || !(tier.aboveInputTokens >= 0)) {
      problems.push(`${label}: a tier needs aboveInputTokens >= 0`);
      continue;
    }
    tiers.push({ aboveInputTokens: tier.aboveInputTokens, rates: rates(tier, TIER_RATES, problems, label) });
  }
  tiers.sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  return {
    provider,
    model,
    effectiveFrom,
    rates: rates(entry, RATES, problems, label),
    tiers,
    origin,
    source: typeof entry.source === 'string' ? entry.source : undefined,
  };
}

/**
 * The names a lookup of `model` tries, in order: as given, without a `provider/` prefix, then
 * without a date or `-latest` suffix.
 */
export function lookupNames(model: string): { matched: MatchKind; model: string }[] {
  const names: { matched: MatchKind; model: string }[] = [{ matched: 'exact', model }];
  const slash = model.lastIndexOf('/');
  const unprefixed = slash >= 0 ? model.slice(slash + 1) : model;
  if (unprefixed !== model && unprefixed !== '') names.push({ matched: 'unprefixed', model: unprefixed });
  for (const suffix of DATED_SUFFIXES) {
    const undated = unprefixed.replace(suffix, '');
    if (undated !== unprefixed && undated !== '') names.push({ matched: 'undated', model: undated });
  }
  return names;
}

/**
 * Prices by provider and model. A lookup tries the model name as given, then without a
 * `provider/` prefix (`openai/gpt-4o`, `models/gemini-2.5-pro`), then without a date or `-latest`
 * suffix (`gpt-4o-2024-08-06` → `gpt-4o`), and last a price for every model of the provider
 * (`model: '*'`); never a guess beyond that. Among the prices in effect at the call
 * (`effectiveFrom` not after it), prices given in code win over price files, which win over the
 * defaults, whichever of the names they match; within one origin the closest name, then the latest
 * `effectiveFrom` wins.
 */
export class PriceCatalog {
  private readonly prices = new Map<string, Price[]>();
  private pending: { entries: readonly PriceEntry[] | (() => readonly PriceEntry[]); origin: PriceOrigin }[] = [];
  // Entries of addLater by (provider, model), normalised when a lookup first reads their name:
  // the first lookup normalises the few entries of the names it tries, not all ~1,000.
  private readonly unread = new Map<string, { entry: PriceEntry; origin: PriceOrigin }[]>();
  private deferring = false;

  /**
   * Adds entries known to be valid (the built-in catalog, checked by its tests) at the first
   * lookup instead of now, and normalises each only when a lookup reads its name: normalising the
   * ~1,000 built-in prices takes 3-7 ms, which a preloaded application would otherwise pay at
   * start-up (or at its first priced call). Their problems, if any, are not reported.
   * `entries` may be a function that gives them, called at the first lookup (once): the built-in
   * prices are loaded only when first needed. It must not throw; if it does, it adds nothing.
   */
  addLater(entries: readonly PriceEntry[] | (() => readonly PriceEntry[]), origin: PriceOrigin): void {
    this.pending.push({ entries, origin });
  }

  // Entries given to addLater, added before anything reads, or adds entries of their origin (a
  // later entry of one origin replaces an earlier one: their order holds).
  private settle(origin?: PriceOrigin): void {
    if (this.pending.length === 0) return;
    if (origin !== undefined && !this.pending.some((p) => p.origin === origin)) return;
    const pending = this.pending;
    this.pending = [];
    for (const { entries, origin } of pending) {
      let list: readonly PriceEntry[];
      try {
        list = typeof entries === 'function' ? entries() : entries;
      } catch {
        continue;
      }
      // Through add(), which a subclass may watch (VersionedCatalog: its version and dates).
      this.deferring = true;
      try {
        this.add(list, origin);
      } finally {
        this.deferring = false;
      }
    }
  }

  /** Adds entries; returns the problems of those rejected or trimmed (the rest are added). */
  add(entries: readonly PriceEntry[], origin: PriceOrigin): string[] {
    this.settle(origin);
    const problems: string[] = [];
    if (!Array.isArray(entries)) return ['prices must be an array of entries'];
    if (this.deferring) {
      for (const entry of entries) {
        const { provider, model } = (entry ?? {}) as Partial<PriceEntry>;
        if (typeof provider !== 'string' || typeof model !== 'string') continue;
        const key = `${provider}\u0000${model}`;
        const list = this.unread.get(key);
        if (list === undefined) this.unread.set(key, [{ entry, origin }]);
        else list.push({ entry, origin });
      }
      return problems;
    }
    for (const entry of entries) {
      const price = normalisePrice(entry, origin, problems);
      if (price === undefined) continue;
      this.put(`${price.provider}\u0000${price.model}`, price);
    }
    return problems;
  }

  private put(key: string, price: Price): void {
    // Deferred entries of the name first: they were added before this one.
    if (this.unread.size > 0) this.read(key);
    const list = this.prices.get(key) ?? [];
    // A later entry of the same origin and date replaces the earlier one.
    const kept = list.filter((p) => !(p.origin === price.origin && p.effectiveFrom === price.effectiveFrom));
    kept.push(price);
    this.prices.set(key, kept);
  }

  // Normalises the deferred entries of one (provider, model) name, in the order they were added.
  private read(key: string): void {
    const unread = this.unread.get(key);
    if (unread === undefined) return;
    this.unread.delete(key);
    const ignored: string[] = [];
    for (const { entry, origin } of unread) {
      const price = normalisePrice(entry, origin, ignored);
      if (price !== undefined) this.put(key, price);
    }
  }

  /** Number of (provider, model) names priced. */
  get size(): number {
    this.settle();
    for (const key of [...this.unread.keys()]) this.read(key);
    return this.prices.size;
  }

  /** The price of `model` at `provider` for a call at `at` (UTC ms), or undefined. */
  lookup(provider: string, model: string, at: number = Date.now()): PriceMatch | undefined {
    this.settle();
    const names = lookupNames(model);
    // The highest origin with any price for one of the names wins: a price file's `gpt-5.4` prices a
    // `gpt-5.4-2026-03-05` call even where the built-in catalog has the dated name.
    let found: PriceMatch | undefined;
    for (const candidate of names) {
      const price = this.find(provider, candidate.model, at);
      if (price === undefined) continue;
      if (found === undefined || RANK[price.origin] > RANK[found.price.origin]) found = { price, ...candidate };
      if (RANK[price.origin] === TOP_RANK) break;
    }
    if (found !== undefined) return found;
    // Last, a price for every model of the provider (`model: '*'`), when no name has one.
    const any = this.find(provider, ANY_MODEL, at);
    return any === undefined ? undefined : { price: any, matched: 'provider', model: ANY_MODEL };
  }

  private find(provider: string, model: string, at: number): Price | undefined {
    const key = `${provider}\u0000${model}`;
    if (this.unread.size > 0) this.read(key);
    const list = this.prices.get(key);
    if (list === undefined) return undefined;
    // Only prices in effect at the call compete: a price from a later date hides nothing before it.
    let best: Price | undefined;
    for (const price of list) {
      if (price.effectiveFrom > at) continue;
      const rank = best === undefined ? -1 : RANK[best.origin];
      if (RANK[price.origin] > rank || (RANK[price.origin] === rank && price.effectiveFrom >= best!.effectiveFrom))
        best = price;
    }
    return best;
  }
}
