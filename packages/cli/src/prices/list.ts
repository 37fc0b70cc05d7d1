// `mltel prices list`: every price of the catalog (built in, then files), filtered by provider or
// a part of the model name.
import type { CatalogContents } from './catalog.js';
import { ratesOf, table } from './format.js';

/** What to list. */
export interface ListFilter {
  provider?: string;
  model?: string;
}

/** Whether a price entry is one the filter asks for (its provider; a part of its model name, any case). */
export function matchesFilter(entry: { provider: string; model: string }, filter: ListFilter): boolean {
  if (filter.provider !== undefined && entry.provider !== filter.provider) return false;
  return filter.model === undefined || entry.model.toLowerCase().includes(filter.model.toLowerCase());
}

/** The rows of `mltel prices list` (provider, model, from, origin, rates) of the prices in use at `at`, in catalog order. */
export function listRows(contents: CatalogContents, filter: ListFilter, at: number = Date.now()): string[][] {
  const rows: string[][] = [];
  for (const { entry, origin } of contents.entries) {
    if (!matchesFilter(entry, filter)) continue;
    // An entry another one replaces (a file's price of a built-in model, the current built-in
    // price of a model LiteLLM's copy also has) is not what a call gets: it is not listed.
    const now = contents.catalog.lookup(entry.provider, entry.model, at);
    const from =
      entry.effectiveFrom === undefined ? Number.NEGATIVE_INFINITY : Date.parse(`${entry.effectiveFrom}T00:00:00Z`);
    if (now?.matched === 'exact' && from <= at && now.price.effectiveFrom <= from && now.price.source !== entry.source)
      continue;
    const tiers = (entry.tiers ?? []).map((t) => `above ${t.aboveInputTokens} tok: ${ratesOf(t).join(', ')}`);
    rows.push([
      entry.provider,
      entry.model,
      entry.effectiveFrom ?? '-',
      origin,
      [ratesOf(entry).join(', '), ...tiers].filter((part) => part !== '').join('; ') || '-',
    ]);
  }
  return rows;
}

/** The listing as text (a table, then a count). */
export function renderList(rows: readonly string[][]): string {
  if (rows.length === 0) return 'No price matches.\n';
  return `${table(['PROVIDER', 'MODEL', 'FROM', 'ORIGIN', 'RATES (USD)'], rows)}${rows.length} prices\n`;
}
