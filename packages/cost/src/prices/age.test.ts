import { describe, expect, it } from 'vitest';
import { catalogAgeDays, MAX_CATALOG_AGE_DAYS, staleCatalogWarning } from './age.js';
import { DEFAULT_PRICES_DATE } from './default-prices-info.js';

const at = (date: string) => Date.parse(`${date}T12:00:00Z`);

describe('the age of the built-in price catalog', () => {
  it('counts whole days from the catalog date', () => {
    expect(catalogAgeDays(at('2026-09-23'), '2026-09-23')).toBe(0);
    expect(catalogAgeDays(at('2026-11-30'), '2026-09-23')).toBe(68);
    expect(catalogAgeDays(at('2020-01-01'), '2026-09-23')).toBe(0);
  });

  it('warns only past the documented age, naming the date and the fix', () => {
    expect(MAX_CATALOG_AGE_DAYS).toBe(180);
    expect(staleCatalogWarning(at('2027-03-22'), { date: '2026-09-23' })).toBeUndefined();
    const warning = staleCatalogWarning(at('2027-03-23'), { date: '2026-09-23' });
    expect(warning).toContain('2026-09-23 (181 days old');
    expect(warning).toContain('mltel prices write');
    expect(warning).toContain('MLTEL_PRICES');
  });

  it('says nothing when the application brings its own price files', () => {
    expect(staleCatalogWarning(at('2030-01-01'), { date: '2026-09-23', priceFiles: ['prices.json'] })).toBeUndefined();
  });

  it('defaults to the built-in catalog date', () => {
    const day = Date.parse(`${DEFAULT_PRICES_DATE}T00:00:00Z`);
    expect(staleCatalogWarning(day + 10 * 86_400_000)).toBeUndefined();
    expect(staleCatalogWarning(day + 400 * 86_400_000)).toContain(DEFAULT_PRICES_DATE);
  });
});
