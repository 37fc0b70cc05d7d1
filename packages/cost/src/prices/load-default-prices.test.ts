import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PRICES } from './default-prices.js';
import { DEFAULT_PRICES_MODULE, loadDefaultPrices, readDefaultPrices } from './load-default-prices.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the built-in prices, loaded at the first lookup', () => {
  it('are the package subpath @mltel/cost/default-prices, loaded once per process', () => {
    const prices = loadDefaultPrices();
    expect(prices).toEqual(DEFAULT_PRICES);
    expect(loadDefaultPrices()).toBe(prices);
  });

  it('a loader that throws or gives no array: one warning and no entries, never a throw', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    expect(
      readDefaultPrices(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual([]);
    expect(readDefaultPrices(() => ({}))).toEqual([]);
    expect(readDefaultPrices(() => undefined)).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /built-in prices .* cannot be loaded \(ENOENT\).*ml\.cost\.unpriced/,
    );
    const entries = [{ provider: 'p', model: 'm', input: '0.1' }];
    expect(
      readDefaultPrices((specifier) => (specifier === DEFAULT_PRICES_MODULE ? { DEFAULT_PRICES: entries } : {})),
    ).toBe(entries);
  });
});
