import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { DEFAULT_PRICES } from './default-prices.js';
import { DEFAULT_PRICES_DATE, DEFAULT_PRICES_SOURCES } from './default-prices-info.js';
import { LITELLM_PRICES } from './default-prices-litellm.js';

describe('the built-in price catalog', () => {
  it('holds the LiteLLM copy and the current prices, with no problem when added', () => {
    const catalog = new PriceCatalog();
    expect(catalog.add(DEFAULT_PRICES, 'default')).toEqual([]);
    expect(DEFAULT_PRICES.length).toBeGreaterThan(LITELLM_PRICES.length);
    expect(DEFAULT_PRICES_SOURCES).toHaveLength(2);
    expect(DEFAULT_PRICES_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('prices a model both sources have at the current price', () => {
    const catalog = new PriceCatalog();
    catalog.add(DEFAULT_PRICES, 'default');
    // gpt-4o is in both: the current entry wins.
    expect(catalog.lookup('openai', 'gpt-4o')?.price.source).toMatch(/genai-prices/);
    // Media prices only LiteLLM's copy has are kept.
    expect(catalog.lookup('openai', 'whisper-1')?.price.source).toMatch(/LiteLLM/);
    expect(catalog.lookup('openai', 'sora-2')?.price.source).toMatch(/LiteLLM/);
  });

  it('prices every Ollama model at nothing, unless a price file prices it', () => {
    const catalog = new PriceCatalog();
    catalog.add(DEFAULT_PRICES, 'default');
    const local = catalog.lookup('ollama', 'llama3');
    expect(local).toMatchObject({ matched: 'provider', model: '*', price: { rates: {} } });
    catalog.add([{ provider: 'ollama', model: 'llama3', input: '0.0000001' }], 'file');
    expect(catalog.lookup('ollama', 'llama3')).toMatchObject({ matched: 'exact', price: { origin: 'file' } });
    expect(catalog.lookup('vllm', 'llama3')).toBeUndefined();
  });
});
