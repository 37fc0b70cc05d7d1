import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { LITELLM_FIXTURE } from '../../test/harness.js';
import { PriceCatalog, RATES } from './catalog.js';
import { LITELLM_PRICES_SOURCE } from './default-prices-info.js';
import { LITELLM_PRICES } from './default-prices-litellm.js';
import { loadPrices } from './load.js';
import type { Usd } from '../money.js';
import type { PriceEntry } from './types.js';

const same = (a: Usd | undefined, b: Usd | undefined): boolean =>
  (a === undefined || new Big(a).eq(0)) && (b === undefined || new Big(b).eq(0))
    ? true
    : a !== undefined && b !== undefined && new Big(a).eq(new Big(b));

describe('the built-in prices copied from LiteLLM', () => {
  it('are all valid: no problem when added', () => {
    const catalog = new PriceCatalog();
    expect(catalog.add(LITELLM_PRICES, 'default')).toEqual([]);
    expect(catalog.size).toBe(LITELLM_PRICES.length);
  });

  it('each names its source (the LiteLLM commit and key)', () => {
    expect(LITELLM_PRICES_SOURCE).toBe(
      'https://github.com/BerriAI/litellm/blob/19a1f629eb6fafde70968ef4815463eb08143aac/model_prices_and_context_window.json',
    );
    for (const price of LITELLM_PRICES) {
      expect(price.source, `${price.provider}/${price.model}`).toMatch(/^https:\/\/\S+ \(LiteLLM 19a1f62: \S+\)$/);
    }
  });

  it('are exact decimal strings, zero rates left out', () => {
    for (const price of LITELLM_PRICES) {
      for (const rate of RATES) {
        const value = price[rate];
        if (value === undefined) continue;
        expect(typeof value, `${price.model} ${rate}`).toBe('string');
        expect(value, `${price.model} ${rate}`).toMatch(/^\d+(\.\d+)?$/);
        expect(new Big(value).gt(0), `${price.model} ${rate}`).toBe(true);
      }
    }
  });

  it('agree with the LiteLLM excerpt they were copied from, for every model it has', async () => {
    const fixture = await loadPrices(LITELLM_FIXTURE);
    let compared = 0;
    for (const entry of fixture) {
      const builtIn = LITELLM_PRICES.find((p) => p.provider === entry.provider && p.model === entry.model) as
        | PriceEntry
        | undefined;
      expect(builtIn, `${entry.provider}/${entry.model} has a built-in price`).toBeDefined();
      // Audio-token rates were not copied (the file's header): the current prices bring them.
      for (const rate of RATES.filter((r) => r !== 'audioInput'))
        expect(same(entry[rate], builtIn![rate]), `${entry.model} ${rate}`).toBe(true);
      const tiers = (e: PriceEntry) =>
        (e.tiers ?? []).map((t) =>
          [t.aboveInputTokens, t.input, t.output, t.cacheRead, t.cacheWrite].map((v) =>
            v === undefined ? '-' : new Big(v).toFixed(),
          ),
        );
      expect(tiers(builtIn!), `${entry.model} tiers`).toEqual(tiers(entry));
      compared++;
    }
    expect(compared).toBe(22);
  });

  it('cover the major providers', () => {
    const providers = new Set(LITELLM_PRICES.map((p) => p.provider));
    for (const provider of [
      'openai',
      'anthropic',
      'gcp.gemini',
      'gcp.vertex_ai',
      'azure.ai.openai',
      'aws.bedrock',
      'mistral_ai',
    ]) {
      expect(providers.has(provider), provider).toBe(true);
    }
  });
});
