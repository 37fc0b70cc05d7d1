import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRICES } from '@mltel/cost/default-prices';
import { describe, expect, it } from 'vitest';
import { buildCatalog, PriceSourceError, priceLocations } from './catalog.js';

describe('the catalog mltel prices shows', () => {
  it('reads the price files of --prices, else MLTEL_PRICES, as comma lists', () => {
    expect(priceLocations(undefined, { MLTEL_PRICES: 'a.json, https://x/p.json' })).toEqual([
      'a.json',
      'https://x/p.json',
    ]);
    expect(priceLocations(['b.json,c.json'], { MLTEL_PRICES: 'a.json' })).toEqual(['b.json', 'c.json']);
    expect(priceLocations([], {})).toEqual([]);
  });

  it('holds the built-in prices, then each file, and refuses a file with no valid price', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-prices-catalog-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([{ provider: 'acme', model: 'm1', input: '0.1' }]));
    const contents = await buildCatalog([good]);
    expect(contents.entries).toHaveLength(DEFAULT_PRICES.length + 1);
    expect(contents.entries.at(-1)).toMatchObject({ origin: 'file', entry: { model: 'm1' } });
    expect(contents.catalog.lookup('acme', 'm1')?.price.origin).toBe('file');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ provider: 'acme' }]));
    await expect(buildCatalog([bad])).rejects.toBeInstanceOf(PriceSourceError);
  });
});
