import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calcPrice } from '@pydantic/genai-prices';
import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { PriceCatalog, RATES } from './catalog.js';
import { CURRENT_PRICES } from './default-prices-current.js';
import { CURRENT_PRICES_DATE, CURRENT_PRICES_SOURCE } from './default-prices-current-info.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the current built-in prices (generated from @pydantic/genai-prices)', () => {
  it('are what scripts/gen-default-prices.mjs writes from the pinned genai-prices data', () => {
    // Exits 1 (and execFileSync throws) when the committed file differs from the generator's output.
    expect(() =>
      execFileSync(process.execPath, [join(ROOT, 'scripts/gen-default-prices.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('are all valid, exact decimal strings, each naming the provider page and genai-prices model', () => {
    expect(new PriceCatalog().add(CURRENT_PRICES, 'default')).toEqual([]);
    expect(CURRENT_PRICES_SOURCE).toBe('https://www.npmjs.com/package/@pydantic/genai-prices/v/0.1.8');
    expect(CURRENT_PRICES_DATE).toBe('2026-09-23');
    for (const price of CURRENT_PRICES) {
      expect(price.source, `${price.provider}/${price.model}`).toMatch(/^https:\/\/\S+ \(genai-prices 0\.1\.8: \S+\)$/);
      for (const rate of RATES) {
        const value = price[rate];
        if (value === undefined) continue;
        expect(value, `${price.model} ${rate}`).toMatch(/^\d+(\.\d+)?$/);
        expect(new Big(value).gt(0), `${price.model} ${rate}`).toBe(true);
      }
    }
  });

  it('price the current models: gpt-5.x, Claude 4.x, Gemini 3', () => {
    const catalog = new PriceCatalog();
    catalog.add(CURRENT_PRICES, 'default');
    for (const [provider, model] of [
      ['openai', 'gpt-5.4'],
      ['openai', 'gpt-5.4-mini-2026-03-17'],
      ['openai', 'gpt-5.1'],
      ['openai', 'gpt-5.2'],
      ['openai', 'gpt-image-1'],
      ['anthropic', 'claude-sonnet-4-5-20250929'],
      ['anthropic', 'claude-opus-4-6'],
      ['gcp.gemini', 'gemini-3-pro-preview'],
      ['gcp.vertex_ai', 'gemini-2.5-flash'],
      ['mistral_ai', 'mistral-large-2512'],
      ['cohere', 'command-a'],
    ] as const) {
      expect(catalog.lookup(provider, model), `${provider}/${model}`).toBeDefined();
    }
  });

  it('give what genai-prices itself computes for the same usage, long-context tiers included', () => {
    const cases = [
      { provider: 'openai', id: 'openai', model: 'gpt-5.4', input: 1_000, output: 500, cacheRead: 200 },
      { provider: 'openai', id: 'openai', model: 'gpt-5.4', input: 300_000, output: 2_000, cacheRead: 0 },
      { provider: 'openai', id: 'openai', model: 'gpt-4.1-mini', input: 12_345, output: 678, cacheRead: 100 },
      { provider: 'anthropic', id: 'anthropic', model: 'claude-haiku-4-5', input: 5_000, output: 1_000, cacheRead: 0 },
      { provider: 'mistral_ai', id: 'mistral', model: 'mistral-large-2512', input: 7_000, output: 300, cacheRead: 0 },
    ];
    for (const c of cases) {
      const entry = CURRENT_PRICES.find((p) => p.provider === c.provider && p.model === c.model);
      expect(entry, c.model).toBeDefined();
      // genai-prices' input_tokens include the cache reads.
      const total = c.input + c.cacheRead;
      const tier = [...(entry!.tiers ?? [])].reverse().find((t) => total > t.aboveInputTokens);
      const rate = (name: 'input' | 'output' | 'cacheRead') => new Big(tier?.[name] ?? entry![name] ?? 0);
      const ours = rate('input')
        .times(c.input)
        .plus(rate('output').times(c.output))
        .plus(rate('cacheRead').times(c.cacheRead));
      const theirs = calcPrice(
        { input_tokens: total, output_tokens: c.output, cache_read_tokens: c.cacheRead },
        c.model,
        { providerId: c.id },
      );
      expect(theirs, c.model).not.toBeNull();
      expect(
        Math.abs(ours.toNumber() - theirs!.total_price),
        `${c.model} ${ours.toFixed()} vs ${theirs!.total_price}`,
      ).toBeLessThan(1e-12);
    }
  });
});
