// The data files of the `mltel drift` tests, written to a temp directory: ref.csv (x from the
// normal_mean_shift reference, a category c, confidence, predicted label and an id column to
// ignore), shifted.jsonl (the shifted current data and two lines that are not JSON objects) and
// same.jsonl (undrifted data).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATEGORICAL, NUMERIC } from '../../quality/test/datasets.js';
import { main } from '../src/main.js';
import { memoryIo } from './memory-io.js';

export const shift = NUMERIC.find((d) => d.name === 'normal_mean_shift')!;
export const still = NUMERIC.find((d) => d.name === 'normal_no_shift')!;
export const category = CATEGORICAL[0]!;

const jsonl = (values: number[], categories: string[]) =>
  `${values
    .map((x, i) =>
      JSON.stringify({
        x,
        c: categories[i % categories.length],
        conf: 0.5 + (i % 50) / 100,
        label: i % 2 ? 'cat' : 'dog',
      }),
    )
    .join('\n')}\n`;

/** A temp directory with the three files; `remove()` deletes it. */
export function driftFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'mltel-drift-'));
  writeFileSync(
    join(dir, 'ref.csv'),
    'x,c,conf,label,id\n' +
      shift.reference
        .map((x, i) => `${x},${category.reference[i]},${0.5 + (i % 50) / 100},${i % 2 ? 'cat' : 'dog'},${i}`)
        .join('\n') +
      '\n',
  );
  writeFileSync(join(dir, 'shifted.jsonl'), `${jsonl(shift.current, category.current)}not json\n[1,2]\n`);
  writeFileSync(join(dir, 'same.jsonl'), jsonl(still.current, category.reference));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `mltel drift profile ref.csv --out profile.json` with the prediction and confidence columns, in `dir`. */
export async function profile(dir: string) {
  const run = memoryIo(dir);
  const code = await main(
    [
      'drift',
      'profile',
      'ref.csv',
      '--out',
      'profile.json',
      '--prediction',
      'label',
      '--confidence',
      'conf',
      '--ignore',
      'id',
    ],
    run.io,
  );
  return { code, ...run };
}
