// How old the built-in price catalog is, and the one warning a stale catalog deserves: providers
// change prices and add models every few weeks, and a stale catalog silently under- or
// over-counts spend (or prices new models at nothing).
import { DEFAULT_PRICES_DATE } from './default-prices-info.js';

/** Past this many days the built-in catalog is called stale (documented in docs/cost.md). */
export const MAX_CATALOG_AGE_DAYS = 180;

const DAY_MS = 86_400_000;

/** The age of the built-in prices at `now` (UTC ms), in whole days. */
export function catalogAgeDays(now: number = Date.now(), date: string = DEFAULT_PRICES_DATE): number {
  return Math.max(0, Math.floor((now - Date.parse(`${date}T00:00:00Z`)) / DAY_MS));
}

/**
 * The warning to log once when the built-in prices are older than {@link MAX_CATALOG_AGE_DAYS}
 * at `now`, or undefined when they are not (or when the application brings its own price files,
 * which then decide what is current).
 */
export function staleCatalogWarning(
  now: number = Date.now(),
  options: { priceFiles?: readonly string[]; date?: string } = {},
): string | undefined {
  if ((options.priceFiles?.length ?? 0) > 0) return undefined;
  const date = options.date ?? DEFAULT_PRICES_DATE;
  const days = catalogAgeDays(now, date);
  if (days <= MAX_CATALOG_AGE_DAYS) return undefined;
  return (
    `the built-in price catalog is from ${date} (${days} days old, more than ${MAX_CATALOG_AGE_DAYS}): ` +
    'new models are not priced and changed prices are not known. Fix: upgrade @mltel/node, or write a ' +
    'current price file with `mltel prices write --from <LiteLLM price map file or URL> --out prices.json` ' +
    'and set MLTEL_PRICES=prices.json.'
  );
}
