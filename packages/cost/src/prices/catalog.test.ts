import { describe, expect, it } from 'vitest';
import { LITELLM_FIXTURE } from '../../test/harness.js';
import { callCost } from '../cost.js';
import { formatUsd } from '../money.js';
import { normalisePrice, PriceCatalog } from './catalog.js';
import type { Price } from './catalog.js';
import type { PriceEntry } from './types.js';
import { DEFAULT_PRICES } from './default-prices.js';
import { loadPrices } from './load.js';

const fixture = await loadPrices(LITELLM_FIXTURE);

function fixtureCatalog(): PriceCatalog {
  const catalog = new PriceCatalog();
  expect(catalog.add(fixture, 'file')).toEqual([]);
  return catalog;
}

const rate = (price: Price | undefined, name: keyof Price['rates']): string | undefined =>
  price?.rates[name]?.toString();
const at = (iso: string): number => Date.parse(iso);

describe('model-name matching', () => {
  const catalog = fixtureCatalog();

  it('matches a name exactly first', () => {
    const match = catalog.lookup('openai', 'gpt-4o');
    expect(match?.matched).toBe('exact');
    expect(match?.model).toBe('gpt-4o');
    expect(match?.price.model).toBe('gpt-4o');
    expect(rate(match?.price, 'input')).toBe('0.0000025');
    expect(catalog.lookup('openai', 'gpt-4o-mini')?.price.model).toBe('gpt-4o-mini');
  });

  it('then without a provider/ prefix', () => {
    const match = catalog.lookup('openai', 'openai/gpt-4o');
    expect(match).toMatchObject({ matched: 'unprefixed', model: 'gpt-4o' });
    expect(match?.price.model).toBe('gpt-4o');
    expect(catalog.lookup('gcp.gemini', 'models/gemini-2.5-pro')).toMatchObject({
      matched: 'unprefixed',
      model: 'gemini-2.5-pro',
    });
    expect(catalog.lookup('gcp.gemini', 'gemini/gemini-2.5-pro')).toMatchObject({
      matched: 'unprefixed',
      model: 'gemini-2.5-pro',
    });
  });

  it('then without a date suffix: dated → undated', () => {
    // A date the catalog does not know: the undated price.
    const match = catalog.lookup('openai', 'gpt-4o-2025-01-31');
    expect(match).toMatchObject({ matched: 'undated', model: 'gpt-4o' });
    expect(match?.price.model).toBe('gpt-4o');
    // A known dated key wins over the undated one.
    expect(catalog.lookup('openai', 'gpt-4o-2024-08-06')).toMatchObject({
      matched: 'exact',
      model: 'gpt-4o-2024-08-06',
    });
    // Prefixed and dated.
    expect(catalog.lookup('openai', 'openai/gpt-4o-mini-2024-07-18')).toMatchObject({
      matched: 'undated',
      model: 'gpt-4o-mini',
    });
    // Anthropic-style and Vertex-style dates.
    const c = new PriceCatalog();
    c.add([{ provider: 'anthropic', model: 'claude-3-7-sonnet', input: '0.000003' }], 'user');
    expect(c.lookup('anthropic', 'claude-3-7-sonnet-20250219')).toMatchObject({
      matched: 'undated',
      model: 'claude-3-7-sonnet',
    });
    expect(c.lookup('anthropic', 'claude-3-7-sonnet@20250219')).toMatchObject({
      matched: 'undated',
      model: 'claude-3-7-sonnet',
    });
  });

  it('strips -latest', () => {
    const c = new PriceCatalog();
    c.add([{ provider: 'mistral_ai', model: 'mistral-small', input: '0.0000001' }], 'user');
    expect(c.lookup('mistral_ai', 'mistral-small-latest')).toMatchObject({
      matched: 'undated',
      model: 'mistral-small',
    });
    // The excerpt has the -latest key itself: exact.
    expect(catalog.lookup('mistral_ai', 'mistral-large-latest')).toMatchObject({ matched: 'exact' });
  });

  it('returns undefined when nothing matches, and never guesses', () => {
    expect(catalog.lookup('openai', 'gpt-4o-turbo-max')).toBeUndefined();
    expect(catalog.lookup('openai', 'gpt-4')).toBeUndefined();
    expect(catalog.lookup('openai', 'gpt-4o-m')).toBeUndefined();
    expect(catalog.lookup('openai', '')).toBeUndefined();
    expect(catalog.lookup('openai', 'openai/')).toBeUndefined();
    // Another provider's price is not this one's.
    expect(catalog.lookup('anthropic', 'gpt-4o')).toBeUndefined();
    expect(catalog.lookup('azure.ai.openai', 'gpt-4o')).toBeUndefined();
    // gpt-4o is never priced as gpt-4o-mini, nor the other way round.
    const onlyMini = new PriceCatalog();
    onlyMini.add([{ provider: 'openai', model: 'gpt-4o-mini', input: '0.00000015' }], 'user');
    expect(onlyMini.lookup('openai', 'gpt-4o')).toBeUndefined();
    expect(onlyMini.lookup('openai', 'gpt-4o-2024-08-06')).toBeUndefined();
    const onlyFull = new PriceCatalog();
    onlyFull.add([{ provider: 'openai', model: 'gpt-4o', input: '0.0000025' }], 'user');
    expect(onlyFull.lookup('openai', 'gpt-4o-mini')).toBeUndefined();
    // A dated name of an unpriced model does not fall back to a shorter priced one.
    expect(onlyFull.lookup('openai', 'gpt-4o-mini-2024-07-18')).toBeUndefined();
    // The Anthropic dated key does not match an undated request of another model.
    expect(catalog.lookup('anthropic', 'claude-sonnet-4-5')).toBeUndefined();
  });
});

describe('user prices and effective dates', () => {
  it('user prices win over the defaults for the same provider and model', () => {
    const catalog = new PriceCatalog();
    catalog.add(DEFAULT_PRICES, 'default');
    expect(catalog.lookup('openai', 'gpt-4o')?.price.origin).toBe('default');
    catalog.add([{ provider: 'openai', model: 'gpt-4o', input: '0.000002', output: '0.000008' }], 'user');
    const match = catalog.lookup('openai', 'gpt-4o');
    expect(match?.price.origin).toBe('user');
    expect(rate(match?.price, 'input')).toBe('0.000002');
    // The user price is the whole price: the default cache rate is not mixed in.
    expect(rate(match?.price, 'cacheRead')).toBeUndefined();
    // Other models keep their defaults.
    expect(catalog.lookup('openai', 'gpt-4o-mini')?.price.origin).toBe('default');
  });

  it('prices given in code win over price files, which win over the defaults', () => {
    const catalog = new PriceCatalog();
    catalog.add(DEFAULT_PRICES, 'default');
    catalog.add([{ provider: 'openai', model: 'gpt-4o', input: '0.000002' }], 'user');
    catalog.add(fixture, 'file');
    expect(rate(catalog.lookup('openai', 'gpt-4o')?.price, 'input')).toBe('0.000002');
    expect(catalog.lookup('openai', 'gpt-4o')?.price.origin).toBe('user');
    expect(catalog.lookup('openai', 'gpt-4o-mini')?.price.origin).toBe('file');
    expect(catalog.lookup('openai', 'gpt-4.1')?.price.origin).toBe('default');
  });

  it('a price file or code prices a dated call by its undated name, over a built-in dated price', () => {
    const catalog = new PriceCatalog();
    catalog.add([{ provider: 'openai', model: 'gpt-5.4-2026-03-05', input: '0.0000025' }], 'default');
    catalog.add([{ provider: 'openai', model: 'gpt-5.4', input: '0.000001' }], 'file');
    expect(catalog.lookup('openai', 'gpt-5.4-2026-03-05')).toMatchObject({
      matched: 'undated',
      model: 'gpt-5.4',
      price: { origin: 'file' },
    });
    catalog.add([{ provider: 'openai', model: 'openai/gpt-5.4-2026-03-05', input: '0.000002' }], 'user');
    expect(catalog.lookup('openai', 'openai/gpt-5.4-2026-03-05')).toMatchObject({
      matched: 'exact',
      price: { origin: 'user' },
    });
    // Within one origin the closest name still wins.
    catalog.add([{ provider: 'openai', model: 'gpt-5.4-2026-03-05', input: '0.000003' }], 'file');
    expect(catalog.lookup('openai', 'gpt-5.4-2026-03-05')).toMatchObject({
      matched: 'exact',
      price: { origin: 'file' },
    });
  });

  it('a later entry of the same origin and date replaces the earlier one', () => {
    const catalog = new PriceCatalog();
    catalog.add([{ provider: 'p', model: 'm', input: '1' }], 'user');
    catalog.add([{ provider: 'p', model: 'm', input: '2' }], 'user');
    expect(rate(catalog.lookup('p', 'm')?.price, 'input')).toBe('2');
    expect(catalog.size).toBe(1);
  });

  it('picks the latest effectiveFrom not after the call', () => {
    const catalog = new PriceCatalog();
    catalog.add(
      [
        { provider: 'p', model: 'm', input: '3', effectiveFrom: '2025-03-01' },
        { provider: 'p', model: 'm', input: '1' },
        { provider: 'p', model: 'm', input: '2', effectiveFrom: '2025-01-01' },
      ],
      'user',
    );
    expect(rate(catalog.lookup('p', 'm', at('2024-12-31T23:59:59.999Z'))?.price, 'input')).toBe('1');
    expect(rate(catalog.lookup('p', 'm', at('2025-01-01T00:00:00.000Z'))?.price, 'input')).toBe('2');
    expect(rate(catalog.lookup('p', 'm', at('2025-02-28T23:59:59.999Z'))?.price, 'input')).toBe('2');
    expect(rate(catalog.lookup('p', 'm', at('2025-03-01T00:00:00.000Z'))?.price, 'input')).toBe('3');
    expect(rate(catalog.lookup('p', 'm', at('2030-01-01T00:00:00.000Z'))?.price, 'input')).toBe('3');
  });

  it('a price not yet in effect is not used, and nothing is guessed before its date', () => {
    const catalog = new PriceCatalog();
    catalog.add([{ provider: 'p', model: 'm', input: '1', effectiveFrom: '2025-06-01' }], 'user');
    expect(catalog.lookup('p', 'm', at('2025-05-31T23:59:59.999Z'))).toBeUndefined();
    expect(catalog.lookup('p', 'm', at('2025-06-01T00:00:00.000Z'))?.price.effectiveFrom).toBe(
      at('2025-06-01T00:00:00.000Z'),
    );
  });

  it('a user price from a date on does not hide the default before that date', () => {
    const catalog = new PriceCatalog();
    catalog.add(DEFAULT_PRICES, 'default');
    catalog.add([{ provider: 'openai', model: 'gpt-4o', input: '0.000002', effectiveFrom: '2026-01-01' }], 'user');
    const before = catalog.lookup('openai', 'gpt-4o', at('2025-12-31T12:00:00Z'));
    expect(before?.price.origin).toBe('default');
    expect(rate(before?.price, 'input')).toBe('0.0000025');
    const after = catalog.lookup('openai', 'gpt-4o', at('2026-01-01T00:00:00Z'));
    expect(after?.price.origin).toBe('user');
    expect(rate(after?.price, 'input')).toBe('0.000002');
  });

  it('user prices override defaults when priced through callCost', () => {
    const catalog = new PriceCatalog();
    catalog.add(DEFAULT_PRICES, 'default');
    catalog.add([{ provider: 'openai', model: 'gpt-4o', input: '0.000001', output: '0.000002' }], 'user');
    const match = catalog.lookup('openai', 'gpt-4o-2099-01-01')!;
    expect(formatUsd(callCost(match.price, { inputTokens: 1000, outputTokens: 1000 }, true).pico)).toBe('0.003');
  });
});

describe('validation', () => {
  it('rejects entries without provider and model, bad dates and bad rates, with a problem each', () => {
    const catalog = new PriceCatalog();
    const problems = catalog.add(
      [
        null as never,
        { provider: '', model: 'm' },
        { provider: 'p', model: 5 as never },
        { provider: 'p', model: 'bad-date', input: '1', effectiveFrom: '2025-13-45' },
        { provider: 'p', model: 'bad-date-2', input: '1', effectiveFrom: 'yesterday' },
        { provider: 'p', model: 'bad-rate', input: '-1', output: 'abc', cacheRead: Number.NaN, image: '0.04' },
        {
          provider: 'p',
          model: 'bad-tier',
          input: '1',
          tiers: [
            { aboveInputTokens: -1, input: '2' },
            { aboveInputTokens: 10, input: '3' },
          ],
        },
      ],
      'user',
    );
    expect(problems).toEqual([
      'a price entry is not an object',
      'a price entry needs provider and model strings, got {"provider":"","model":"m"}',
      'a price entry needs provider and model strings, got {"provider":"p","model":5}',
      'p/bad-date: effectiveFrom "2025-13-45" is not a YYYY-MM-DD date',
      'p/bad-date-2: effectiveFrom "yesterday" is not a YYYY-MM-DD date',
      'p/bad-rate: input "-1" is not a decimal >= 0',
      'p/bad-rate: output "abc" is not a decimal >= 0',
      'p/bad-rate: cacheRead null is not a decimal >= 0',
      'p/bad-tier: a tier needs aboveInputTokens >= 0',
    ]);
    // Entries with bad rates keep their good ones; bad tiers are dropped, good ones kept.
    expect(catalog.size).toBe(2);
    expect(catalog.lookup('p', 'bad-rate')?.price.rates).toEqual({ image: expect.anything() });
    expect(rate(catalog.lookup('p', 'bad-rate')?.price, 'image')).toBe('0.04');
    expect(
      catalog.lookup('p', 'bad-tier')?.price.tiers.map((t) => [t.aboveInputTokens, t.rates.input?.toString()]),
    ).toEqual([[10, '3']]);
    expect(catalog.add('nope' as never, 'user')).toEqual(['prices must be an array of entries']);
  });

  it('keeps every digit of a price (strings and numbers, no float drift)', () => {
    const problems: string[] = [];
    const price = normalisePrice(
      {
        provider: 'p',
        model: 'm',
        input: '0.00000000000000000001',
        output: 0.1,
        cacheRead: 2.5e-6,
        tiers: [{ aboveInputTokens: 5, input: 3e-7 }],
      },
      'user',
      problems,
    );
    expect(problems).toEqual([]);
    expect(rate(price, 'input')).toBe('1e-20');
    expect(rate(price, 'output')).toBe('0.1');
    expect(price?.rates.cacheRead?.toFixed()).toBe('0.0000025');
    expect(price?.tiers[0]?.rates.input?.toFixed()).toBe('0.0000003');
    expect(price?.effectiveFrom).toBe(Number.NEGATIVE_INFINITY);
  });

  it('sorts tiers by threshold', () => {
    const problems: string[] = [];
    const price = normalisePrice(
      {
        provider: 'p',
        model: 'm',
        input: '1',
        tiers: [
          { aboveInputTokens: 200, input: '3' },
          { aboveInputTokens: 100, input: '2' },
        ],
      },
      'user',
      problems,
    );
    expect(price?.tiers.map((t) => t.aboveInputTokens)).toEqual([100, 200]);
    expect(formatUsd(callCost(price!, { inputTokens: 150 }, true).pico)).toBe('300');
    expect(formatUsd(callCost(price!, { inputTokens: 201 }, true).pico)).toBe('603');
  });
});

describe('built-in prices added at the first lookup', () => {
  it('are normalised only when first read, in order with later entries of their origin', () => {
    const catalog = new PriceCatalog();
    let reads = 0;
    const read = (target: object, key: string | symbol): unknown => {
      reads++;
      return Reflect.get(target, key);
    };
    const entry: PriceEntry = { provider: 'p', model: 'm', input: '0.1' };
    const watched: PriceEntry[] = [new Proxy<PriceEntry>(entry, { get: read })];
    catalog.addLater(watched, 'default');
    catalog.add([{ provider: 'q', model: 'n', input: '0.2' }], 'user');
    expect(reads).toBe(0);
    expect(catalog.lookup('p', 'm')?.price.origin).toBe('default');
    expect(reads).toBeGreaterThan(0);
    // A later entry of the same origin, name and date still replaces the deferred one.
    const later = new PriceCatalog();
    later.addLater([{ provider: 'p', model: 'm', input: '0.1' }], 'default');
    later.add([{ provider: 'p', model: 'm', input: '0.3' }], 'default');
    expect(String(later.lookup('p', 'm')?.price.rates.input)).toBe('0.3');
    expect(later.size).toBe(1);
  });

  it('may be a function, called once at the first lookup; one that throws adds nothing', () => {
    const catalog = new PriceCatalog();
    let calls = 0;
    catalog.addLater(() => {
      calls++;
      return [{ provider: 'p', model: 'm', input: '0.1' }];
    }, 'default');
    catalog.add([{ provider: 'q', model: 'n', input: '0.2' }], 'user');
    catalog.add([{ provider: 'r', model: 'o', input: '0.2' }], 'file');
    expect(calls).toBe(0);
    expect(String(catalog.lookup('p', 'm')?.price.rates.input)).toBe('0.1');
    expect(catalog.lookup('p', 'x')).toBeUndefined();
    expect(calls).toBe(1);
    const broken = new PriceCatalog();
    broken.addLater(() => {
      throw new Error('no prices');
    }, 'default');
    broken.add([{ provider: 'q', model: 'n', input: '0.2' }], 'user');
    expect(() => broken.lookup('p', 'm')).not.toThrow();
    expect(broken.lookup('q', 'n')?.price.origin).toBe('user');
    expect(broken.size).toBe(1);
  });

  it('are normalised per name: a lookup normalises the entries of the names it tries, no others', () => {
    const catalog = new PriceCatalog();
    const rateReads = new Map<string, number>();
    const watched = (entry: PriceEntry): PriceEntry =>
      new Proxy<PriceEntry>(entry, {
        get(target, key) {
          if (key === 'input') rateReads.set(target.model, (rateReads.get(target.model) ?? 0) + 1);
          return Reflect.get(target, key);
        },
      });
    catalog.addLater(
      [
        watched({ provider: 'p', model: 'a', input: '0.1' }),
        watched({ provider: 'p', model: 'b', input: '0.2' }),
        watched({ provider: 'p', model: 'a', input: '0.3' }),
      ],
      'default',
    );
    expect(String(catalog.lookup('p', 'a-latest')?.price.rates.input)).toBe('0.3');
    expect(rateReads.get('a')).toBe(2);
    expect(rateReads.has('b')).toBe(false);
    catalog.add([{ provider: 'p', model: 'b', input: '0.4', effectiveFrom: '2030-01-01' }], 'default');
    expect(rateReads.get('b')).toBe(1);
    expect(String(catalog.lookup('p', 'b', at('2029-12-31T00:00:00Z'))?.price.rates.input)).toBe('0.2');
    expect(String(catalog.lookup('p', 'b', at('2030-01-02T00:00:00Z'))?.price.rates.input)).toBe('0.4');
    expect(catalog.size).toBe(2);
  });
});
