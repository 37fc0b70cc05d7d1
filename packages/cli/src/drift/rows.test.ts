import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { formatOf, MAX_RECORD_BYTES, readRows, sizeOf } from './rows.js';
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
  it('is the size in bytes, and rejects with an InputError for a missing file', async () => {
    writeFileSync(join(dir, 'ten'), '0123456789');
    expect(await sizeOf(join(dir, 'ten'))).toBe(10);
    await expect(sizeOf(join(dir, 'none'))).rejects.toThrow(
      new InputError(join(dir, 'none'), 'ENOENT: no such file or directory'),
    );
  });

  it('takes regular files only, and a FIFO or a device when the data is read once (stream)', async () => {
    const fifo = join(dir, 'data.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(sizeOf(fifo)).rejects.toThrow(`cannot read ${fifo}: not a regular file (a FIFO)`);
    await expect(sizeOf('/dev/zero')).rejects.toThrow('cannot read /dev/zero: not a regular file (a device or socket)');
    expect(await sizeOf(fifo, { stream: true })).toBe(0);
    expect(await sizeOf('/dev/zero', { stream: true })).toBe(0);
    mkdirSync(join(dir, 'sub'));
    await expect(sizeOf(join(dir, 'sub'), { stream: true })).rejects.toThrow('not a regular file (a directory)');
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

  it('keeps a UTF-8 character split between two chunks whole', async () => {
    const pad = 'x'.repeat(65536 - 8);
    const { rows } = await read('split.jsonl', `{"a":"${pad}é"}\n{"a":"日本"}\n`, 'jsonl');
    expect(rows.map((r) => (r.a as string).slice(-2))).toEqual(['xé', '日本']);
  });

  it('ends with an InputError naming the file: a bad quote, binary data, a directory', async () => {
    await expect(read('q.csv', 'a,b\n1,"x\n', 'csv')).rejects.toThrow(
      new RegExp(`^cannot read ${join(dir, 'q.csv')}: Quote Not Closed`),
    );
    for (const format of ['csv', 'jsonl'] as const) {
      await expect(read(`b.${format}`, 'a,b\n1,\u0000\u0001', format)).rejects.toThrow(
        `cannot read ${join(dir, `b.${format}`)}: binary data (a NUL byte at byte 6), not CSV or JSON lines`,
      );
    }
    const sub = join(dir, 'a-dir');
    mkdirSync(sub);
    const counters: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
    await expect(readRows(sub, 'csv', counters).next()).rejects.toThrow(`cannot read ${sub}: EISDIR`);
  });

  it('ends with an InputError for a record over MAX_RECORD_BYTES (8 MiB), in either format', async () => {
    expect(MAX_RECORD_BYTES).toBe(8 * 1024 * 1024);
    const long = 'a'.repeat(MAX_RECORD_BYTES + 2);
    await expect(read('long.jsonl', `{"a":1}\n${long}`, 'jsonl')).rejects.toThrow(
      /long\.jsonl: line 2 is longer than 8 MiB/,
    );
    await expect(read('long.csv', `a\n${long}\n`, 'csv')).rejects.toThrow(
      /long\.csv: a CSV record is longer than 8 MiB/,
    );
    const fits = 'a'.repeat(MAX_RECORD_BYTES - 20);
    expect((await read('fits.jsonl', `{"a":"${fits}"}\n`, 'jsonl')).rows).toHaveLength(1);
  });
});
