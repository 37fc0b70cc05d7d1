// `mltel prices write --from <file|URL> --out <file>`: a local price file, in mltel's own format
// (a JSON array of price entries, which MLTEL_PRICES reads), from a LiteLLM-format price map (or
// an mltel file), read with the cost package's bounded loader; optionally only some providers.
import { open } from 'node:fs/promises';
import { displayLocation, loadPrices, PriceCatalog, PriceFileError } from '@mltel/cost';
import type { PriceEntry } from '@mltel/cost';
import { PriceSourceError } from './catalog.js';

/** What was written. */
export interface WriteResult {
  written: number;
  skipped: number;
  providers: string[];
}

/**
 * Reads `from`, keeps the valid entries of `providers` (all when empty), and writes them to `out`
 * (refusing to replace an existing file unless `force`). Rejects with a {@link PriceSourceError}
 * when `from` cannot be read or holds no valid price; file-system errors of `out` reject as they are.
 */
export async function writePriceFile(
  from: string,
  out: string,
  options: { providers?: readonly string[]; force?: boolean; timeoutMs?: number } = {},
): Promise<WriteResult> {
  let loaded: PriceEntry[];
  try {
    loaded = await loadPrices(from, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  } catch (error) {
    throw new PriceSourceError(error instanceof PriceFileError ? error.message : String(error));
  }
  const wanted = new Set(options.providers ?? []);
  const source = displayLocation(from);
  const kept: PriceEntry[] = [];
  let skipped = 0;
  for (const entry of loaded) {
    if (wanted.size > 0 && !wanted.has(entry.provider)) continue;
    // Each entry is checked as the cost meter will check it: only valid ones are written.
    if (new PriceCatalog().add([entry], 'file').length > 0) {
      skipped++;
      continue;
    }
    kept.push({ ...entry, source: entry.source === from ? source : (entry.source ?? source) });
  }
  if (kept.length === 0)
    throw new PriceSourceError(
      `no valid price${wanted.size > 0 ? ` of provider ${[...wanted].join(', ')}` : ''} in ${source}`,
    );
  const file = await open(out, options.force ? 'w' : 'wx', 0o644);
  try {
    await file.writeFile(`${JSON.stringify(kept, null, 2)}\n`);
  } finally {
    await file.close();
  }
  return { written: kept.length, skipped, providers: [...new Set(kept.map((e) => e.provider))].sort() };
}
