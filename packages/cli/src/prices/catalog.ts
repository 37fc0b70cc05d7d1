// The catalog `mltel prices` shows: the built-in prices, then the price files the preload would
// load (MLTEL_PRICES, or --prices), each read with the cost package's own bounded loader, so what
// is shown is what the cost meter prices with.
import { loadPrices, PriceCatalog, PriceFileError } from '@mltel/cost';
import { DEFAULT_PRICES } from '@mltel/cost/default-prices';
import type { PriceEntry } from '@mltel/cost';

/** A price file given to the command that could not be read, and why. */
export class PriceSourceError extends Error {
  override readonly name = 'PriceSourceError';
}

/** Where the prices of a catalog came from, in the order they were added. */
export interface CatalogContents {
  readonly catalog: PriceCatalog;
  /** Every entry added: built-in first, then each file's. */
  readonly entries: readonly { entry: PriceEntry; origin: string }[];
}

/** The price files named by `--prices` (repeatable, each a comma list) or else by MLTEL_PRICES. */
export function priceLocations(flags: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const raw = flags !== undefined && flags.length > 0 ? flags : env.MLTEL_PRICES ? [env.MLTEL_PRICES] : [];
  return raw
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** The built-in prices and those of `locations`; rejects with a {@link PriceSourceError} on an unreadable file. */
export async function buildCatalog(locations: readonly string[], timeoutMs?: number): Promise<CatalogContents> {
  const catalog = new PriceCatalog();
  const entries: { entry: PriceEntry; origin: string }[] = [];
  catalog.add(DEFAULT_PRICES, 'default');
  for (const entry of DEFAULT_PRICES) entries.push({ entry, origin: 'built-in' });
  for (const location of locations) {
    let loaded: PriceEntry[];
    try {
      loaded = await loadPrices(location, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (error) {
      throw new PriceSourceError(error instanceof PriceFileError ? error.message : String(error));
    }
    const problems = catalog.add(loaded, 'file');
    if (problems.length > 0 && problems.length === loaded.length)
      throw new PriceSourceError(`no valid price in ${location}: ${problems[0]}`);
    for (const entry of loaded) entries.push({ entry, origin: 'file' });
  }
  return { catalog, entries };
}
