import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPrices } from '@mltel/cost';
import { describe, expect, it } from 'vitest';
import { PriceSourceError } from './catalog.js';
import { writePriceFile } from './write.js';

const LITELLM = fileURLToPath(new URL('../../../cost/test/fixtures/litellm/model_prices_subset.json', import.meta.url));

describe('writePriceFile', () => {
  it('converts a LiteLLM map to mltel entries that load back to the same prices', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-prices-write-'));
    const out = join(dir, 'prices.json');
    const result = await writePriceFile(LITELLM, out);
    expect(result.skipped).toBe(0);
    expect(result.providers).toContain('anthropic');
    const back = await loadPrices(out);
    const original = await loadPrices(LITELLM);
    expect(back.map((e) => [e.provider, e.model, e.input, e.output])).toEqual(
      original.map((e) => [e.provider, e.model, e.input, e.output]),
    );
  });

  it('keeps only the providers asked for, and says so when none is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-prices-write-'));
    const result = await writePriceFile(LITELLM, join(dir, 'a.json'), { providers: ['gcp.gemini'] });
    expect(result.providers).toEqual(['gcp.gemini']);
    await expect(writePriceFile(LITELLM, join(dir, 'b.json'), { providers: ['nobody'] })).rejects.toThrow(
      PriceSourceError,
    );
  });

  it('leaves out invalid entries of an mltel file and counts them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-prices-write-'));
    const source = join(dir, 'in.json');
    writeFileSync(
      source,
      JSON.stringify([
        { provider: 'a', model: 'm', input: '0.1' },
        { provider: 'a', model: 'x', effectiveFrom: 'soon' },
      ]),
    );
    const result = await writePriceFile(source, join(dir, 'out.json'));
    expect(result).toMatchObject({ written: 1, skipped: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))[0].source).toBe(source);
  });
});
