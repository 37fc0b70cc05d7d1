import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatOf, readRows, sizeOf } from './rows.js';
import type { DataFormat, ReadCounters } from './rows.js';

const dir = mkdtempSync(join(tmpdir(), 'mltel-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, text: string, format: DataFormat) {
  const path = join(dir, name);
  writeFileSync(path, text);
  const counters: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
  const rows: Record<string, unknown>[] = [];
  for await (const row of readRows(path, format, counters)) rows.push(row);
  return { rows, counters };
}

describe('formatOf', () => {
  it('takes --format when given (csv or jsonl only), else csv for *.csv and jsonl otherwise', () => {
    expect(formatOf('a.csv', undefined)).toBe('csv');
    expect(formatOf('A.CSV', undefined)).toBe('csv');
    expect(formatOf('a.jsonl', undefined)).toBe('jsonl');
    expect(formatOf('a.txt', undefined)).toBe('jsonl');
    expect(formatOf('a.csv', 'jsonl')).toBe('jsonl');
    expect(formatOf('a.jsonl', 'csv')).toBe('csv');
    expect(formatOf('a.csv', 'tsv')).toBeUndefined();
  });
});

describe('sizeOf', () => {
  it('is the size in bytes, and rejects for a missing file', async () => {
    writeFileSync(join(dir, 'ten'), '0123456789');
    expect(await sizeOf(join(dir, 'ten'))).toBe(10);
    await expect(sizeOf(join(dir, 'none'))).rejects.toThrow(/ENOENT/);
  });
});

describe('readRows', () => {
  it('reads CSV with the header as keys, values as trimmed strings, a BOM and empty lines ignored', async () => {
    const text = '\ufeffa,b\n1, x \n\n2,y,extra\n3\n';
    const { rows, counters } = await read('t.csv', text, 'csv');
    expect(rows).toEqual([{ a: '1', b: 'x' }, { a: '2', b: 'y' }, { a: '3' }]);
    expect(counters).toEqual({ bytes: Buffer.byteLength(text), rows: 3, skipped: 0 });
  });

  it('reads JSON lines, skipping and counting lines that are not JSON objects', async () => {
    const text = '{"a":1}\r\n\nnot json\n[1]\nnull\n"s"\n  \n{"b":"x","c":null}\n';
    const { rows, counters } = await read('t.jsonl', text, 'jsonl');
    expect(rows).toEqual([{ a: 1 }, { b: 'x', c: null }]);
    expect(counters).toEqual({ bytes: Buffer.byteLength(text), rows: 2, skipped: 4 });
  });

  it('stops reading when the consumer stops', async () => {
    const path = join(dir, 'many.jsonl');
    writeFileSync(path, '{"i":1}\n'.repeat(1000));
    const counters: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
    for await (const _row of readRows(path, 'jsonl', counters)) if (counters.rows === 3) break;
    expect(counters.rows).toBe(3);
  });
});
