import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from './catalog.js';
import { listRows, renderList } from './list.js';

describe('mltel prices list', () => {
  it('filters by provider and by a part of the model name, case-insensitively', async () => {
    const contents = await buildCatalog([]);
    const rows = listRows(contents, { provider: 'anthropic', model: 'SONNET-4-5' });
    expect(rows.length).toBeGreaterThan(0);
    for (const [provider, model] of rows) {
      expect(provider).toBe('anthropic');
      expect(model).toMatch(/sonnet-4-5/i);
    }
    expect(renderList(rows)).toMatch(new RegExp(`${rows.length} prices\\n$`));
    expect(renderList([])).toBe('No price matches.\n');
  });
});

describe('mltel prices list, replaced prices', () => {
  it('lists a model once, with the price a call gets: a file over the built-in one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mltel-prices-list-')), 'p.json');
    writeFileSync(file, JSON.stringify([{ provider: 'openai', model: 'gpt-4o', input: '0.000001', source: 'mine' }]));
    const rows = listRows(await buildCatalog([file]), { provider: 'openai', model: 'gpt-4o' }).filter(
      (row) => row[1] === 'gpt-4o',
    );
    expect(rows).toEqual([['openai', 'gpt-4o', '-', 'file', 'input /1M tok $1']]);
  });
});
