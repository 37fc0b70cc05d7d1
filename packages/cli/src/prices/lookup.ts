// `mltel prices lookup <provider> <model>`: the price the cost meter would use for a call, which
// entry matched and why, or the names that were tried.
import { lookupNames } from '@mltel/cost';
import type { PriceMatch } from '@mltel/cost';
import type { CatalogContents } from './catalog.js';
import { ratesOf } from './format.js';

const WHY: Record<PriceMatch['matched'], string> = {
  exact: 'the name as given',
  unprefixed: 'the name without its "provider/" prefix',
  undated: 'the name without its date or -latest suffix',
  provider: 'the price for every model of the provider ("*")',
};

const ORIGIN: Record<PriceMatch['price']['origin'], string> = {
  default: 'the built-in catalog',
  file: 'a price file (--prices / MLTEL_PRICES)',
  user: 'prices given in code',
};

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The lookup's answer as text, and whether a price was found. */
export function renderLookup(
  contents: CatalogContents,
  provider: string,
  model: string,
  at: number,
): { text: string; found: boolean } {
  const match = contents.catalog.lookup(provider, model, at);
  if (match === undefined) {
    const tried = lookupNames(model)
      .map((name) => `"${name.model}"`)
      .join(', ');
    const elsewhere = [
      ...new Set(
        contents.entries
          .filter(({ entry }) => lookupNames(model).some((name) => name.model === entry.model))
          .map(({ entry }) => entry.provider),
      ),
    ];
    const hint =
      elsewhere.length > 0
        ? `\nThat model is priced for provider ${elsewhere.join(', ')}: check gen_ai.provider.name.`
        : '';
    return {
      text:
        `No price for ${provider} / ${model} on ${day(at)}: tried ${tried}.${hint}\n` +
        'Calls to it are counted but cost nothing. Fix: add its price in a file named by MLTEL_PRICES ' +
        '(mltel prices write makes one from a LiteLLM price map).\n',
      found: false,
    };
  }
  const { price } = match;
  const since = price.effectiveFrom === Number.NEGATIVE_INFINITY ? '' : `, in effect since ${day(price.effectiveFrom)}`;
  const lines = [
    `${provider} / ${model}`,
    `  matched: ${price.provider} / ${price.model}, by ${WHY[match.matched]}`,
    `  from:    ${ORIGIN[price.origin]}${since}`,
    `  rates:   ${ratesOf(price.rates).join(', ') || 'none (free)'} (USD)`,
  ];
  for (const tier of price.tiers)
    lines.push(`  above ${tier.aboveInputTokens} input tokens: ${ratesOf(tier.rates).join(', ')}`);
  lines.push(`  source:  ${price.source ?? '-'}`);
  return { text: `${lines.join('\n')}\n`, found: true };
}
