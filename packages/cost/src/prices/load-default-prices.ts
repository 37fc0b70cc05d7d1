// The built-in prices, loaded when a catalog first needs them (its first lookup), not when
// @mltel/cost loads: compiling their ~250 KB took several milliseconds of every start of an
// application that preloads mltel, most of which never looks a price up that early. Loaded
// synchronously (a price lookup runs inside a recording call) and never throwing into it.
import { createRequire } from 'node:module';
import { diag } from '@opentelemetry/api';
import type { PriceEntry } from './types.js';

/** The subpath of @mltel/cost (package.json `exports`) whose `DEFAULT_PRICES` are the built-in prices. */
export const DEFAULT_PRICES_MODULE = '@mltel/cost/default-prices';

// Resolved from this file, in src/ or bundled in dist/: the package's own `exports` (a
// self-reference), so the path does not depend on where the bundler put this code.
const requireHere = createRequire(import.meta.url);
let loaded: readonly PriceEntry[] | undefined;

/**
 * The built-in prices (`DEFAULT_PRICES` of {@link DEFAULT_PRICES_MODULE}), loaded at the first
 * call and kept for the process. Never throws: see {@link readDefaultPrices}.
 */
export function loadDefaultPrices(): readonly PriceEntry[] {
  loaded ??= readDefaultPrices((specifier) => requireHere(specifier));
  return loaded;
}

/**
 * The built-in prices as `load` (a synchronous require) gives them. When they cannot be loaded
 * (a damaged install), one warning and no entries: calls are priced with the other prices, or
 * counted as unpriced, as for a model with no price.
 */
export function readDefaultPrices(load: (specifier: string) => unknown): readonly PriceEntry[] {
  try {
    const prices = (load(DEFAULT_PRICES_MODULE) as { DEFAULT_PRICES?: unknown } | undefined)?.DEFAULT_PRICES;
    if (!Array.isArray(prices)) throw new Error('it exports no DEFAULT_PRICES array');
    return prices as readonly PriceEntry[];
  } catch (error) {
    diag.warn(
      `mltel: the built-in prices (${DEFAULT_PRICES_MODULE}) cannot be loaded ` +
        `(${error instanceof Error ? error.message : String(error)}); calls are priced only with the prices given ` +
        'in code or in price files, the others count in ml.cost.unpriced. Fix: reinstall @mltel/cost.',
    );
    return [];
  }
}
