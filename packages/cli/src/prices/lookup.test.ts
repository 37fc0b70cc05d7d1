import { describe, expect, it } from 'vitest';
import { buildCatalog } from './catalog.js';
import { renderLookup } from './lookup.js';

describe('mltel prices lookup', () => {
  it('shows the matched entry, how it matched, its origin, rates, tiers and source', async () => {
    const contents = await buildCatalog([]);
    const { text, found } = renderLookup(contents, 'gcp.gemini', 'models/gemini-2.5-pro', Date.now());
    expect(found).toBe(true);
    expect(text).toContain('matched: gcp.gemini / gemini-2.5-pro, by the name without its "provider/" prefix');
    expect(text).toMatch(/above \d+ input tokens: input \/1M tok \$/);
  });

  it('tells the names tried when nothing matched', async () => {
    const contents = await buildCatalog([]);
    const { text, found } = renderLookup(contents, 'openai', 'acme/gpt-nope-2025-01-01', Date.now());
    expect(found).toBe(false);
    expect(text).toContain('tried "acme/gpt-nope-2025-01-01", "gpt-nope-2025-01-01", "gpt-nope"');
  });

  it('says when the provider-wide price matched (local models)', async () => {
    const { text, found } = renderLookup(await buildCatalog([]), 'ollama', 'llama3', Date.now());
    expect(found).toBe(true);
    expect(text).toContain('matched: ollama / *, by the price for every model of the provider ("*")');
    expect(text).toContain('rates:   none (free)');
  });
});
