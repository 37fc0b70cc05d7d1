// `mltel drift profile <data> --out <profile.json>`: a reference profile from a CSV or JSON-lines
// file in two streaming passes (sketch for the bin edges, then the bin counts), bounded memory.
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ProfileBuilder, toNumber } from '@mltel/quality';
import type { CliIo } from '../io.js';
import { printable } from '../io.js';
import { DRIFT_EXIT, InputError, reasonOf } from './errors.js';
import { progressBar } from './progress.js';
import { formatOf, readRows, sizeOf } from './rows.js';
import type { DataFormat, ReadCounters } from './rows.js';

/** The help of `mltel drift profile`. */
export const PROFILE_USAGE = `Usage: mltel drift profile <data.csv|data.jsonl> --out <profile.json> [options]

Builds a reference profile (bin edges and counts, category frequencies, quantile sketches) from a
CSV file (header row) or a JSON-lines file, streaming, in bounded memory.

Options:
  --out <file>            where to write the profile (required)
  --numeric <a,b>         numeric feature columns
  --categorical <c,d>     categorical feature columns
                          (neither given: every column except --prediction, --confidence and
                          --ignore, numeric when its first 1000 non-empty values are all numbers)
  --ignore <x,y>          columns to leave out when inferring
  --prediction <col>      predicted-class column
  --confidence <col>      confidence column (0..1)
  --bins <n>              inner bins per numeric feature (default 10)
  --max-categories <n>    categories kept per categorical feature (default 50)
  --format <csv|jsonl>    input format (default: csv for *.csv, else jsonl)

The data file must be a regular file (it is read twice), each CSV record or JSON line at most
8 MiB. Numbers are decimal or exponent forms (12, -0.5, 1e3); 0x10, Infinity or 1_000 are not.

Exit codes: 0 profile written; 2 bad arguments; 3 a file could not be read or written, holds no
rows, or lacks a column named in the options (the message names the file and the reason).
`;

const SNIFF_ROWS = 1000;
/** A profile holds at most 10 000 features (parseProfile's MAX_PROFILE_FEATURES). */
const MAX_INFERRED_COLUMNS = 10_000;
const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** Column types from the first rows: numeric when every non-empty value is a number. */
async function inferColumns(
  path: string,
  format: DataFormat,
  exclude: Set<string>,
): Promise<{ numeric: string[]; categorical: string[] }> {
  const numeric = new Map<string, boolean>();
  const counters: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
  for await (const row of readRows(path, format, counters)) {
    for (const [key, value] of Object.entries(row)) {
      if (exclude.has(key)) continue;
      // JSON lines may each bring new keys: past what a profile may hold, the builder refuses the
      // columns anyway (an input error), so the map stops growing there.
      if (!numeric.has(key) && numeric.size > MAX_INFERRED_COLUMNS) continue;
      if (value === '' || value === null || value === undefined) {
        if (!numeric.has(key)) numeric.set(key, true);
        continue;
      }
      const isNumber = typeof value === 'number' || (typeof value === 'string' && Number.isFinite(toNumber(value)));
      numeric.set(key, (numeric.get(key) ?? true) && isNumber);
    }
    if (counters.rows >= SNIFF_ROWS) break;
  }
  const columns = [...numeric];
  return {
    numeric: columns.filter(([, n]) => n).map(([k]) => k),
    categorical: columns.filter(([, n]) => !n).map(([k]) => k),
  };
}

/** Why a file gave no rows, for the message. */
export function noRows(format: DataFormat, counters: ReadCounters): string {
  const what = format === 'csv' ? 'the file is empty or has a header line only' : 'the file has no JSON object line';
  return `no rows: ${what}${counters.skipped ? ` (${counters.skipped} lines are not JSON objects)` : ''}`;
}

/** Throws InputError (write) unless `out` can be written: not a directory, in a writable folder. */
async function checkWritable(out: string): Promise<void> {
  try {
    if ((await stat(out)).isDirectory()) throw new InputError(out, 'it is a directory', 'write');
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(out, reasonOf(error), 'write');
  }
  try {
    await access(dirname(out), constants.W_OK);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError(
      out,
      `the folder ${dirname(out)} ${missing ? 'does not exist' : `is not writable (${reasonOf(error)})`}`,
      'write',
    );
  }
}

/** Runs `mltel drift profile`; throws InputError for a file it cannot use (see DRIFT_EXIT). */
export async function profileCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      numeric: { type: 'string' },
      categorical: { type: 'string' },
      ignore: { type: 'string' },
      prediction: { type: 'string' },
      confidence: { type: 'string' },
      bins: { type: 'string' },
      'max-categories': { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(PROFILE_USAGE);
    return DRIFT_EXIT.ok;
  }
  if (positionals.length !== 1 || values.out === undefined) {
    io.stderr.write(`mltel drift profile: needs one data file and --out\n\n${PROFILE_USAGE}`);
    return DRIFT_EXIT.usage;
  }
  const input = resolve(io.cwd, positionals[0]!);
  const format = formatOf(input, values.format);
  if (format === undefined) {
    io.stderr.write(`mltel drift profile: --format must be csv or jsonl, got "${values.format}"\n`);
    return DRIFT_EXIT.usage;
  }
  const bins = values.bins === undefined ? 10 : Number(values.bins);
  const maxCategories = values['max-categories'] === undefined ? 50 : Number(values['max-categories']);
  if (
    !Number.isInteger(bins) ||
    bins < 1 ||
    bins > 1000 ||
    !Number.isInteger(maxCategories) ||
    maxCategories < 1 ||
    maxCategories > 1000
  ) {
    io.stderr.write('mltel drift profile: --bins and --max-categories must be integers from 1 to 1000\n');
    return DRIFT_EXIT.usage;
  }
  const out = resolve(io.cwd, values.out);
  const size = await sizeOf(input);
  // Before reading anything: a 10 GB file should not be read twice to find the folder missing.
  await checkWritable(out);

  let numeric = list(values.numeric);
  let categorical = list(values.categorical);
  if (numeric === undefined && categorical === undefined) {
    const exclude = new Set(
      [...(list(values.ignore) ?? []), values.prediction, values.confidence].filter(
        (s): s is string => s !== undefined,
      ),
    );
    ({ numeric, categorical } = await inferColumns(input, format, exclude));
  }
  // Every column named in an option must be in the file; inferred ones are by construction.
  const wanted = new Map<string, string>();
  for (const name of list(values.numeric) ?? []) wanted.set(name, '--numeric');
  for (const name of list(values.categorical) ?? []) wanted.set(name, '--categorical');
  if (values.prediction !== undefined) wanted.set(values.prediction, '--prediction');
  if (values.confidence !== undefined) wanted.set(values.confidence, '--confidence');
  let builder: ProfileBuilder;
  try {
    builder = new ProfileBuilder({
      numeric: numeric ?? [],
      categorical: categorical ?? [],
      prediction: values.prediction,
      confidence: values.confidence,
      bins,
      maxCategories,
    });
  } catch (error) {
    // A column name a profile cannot hold (over 128 characters, or named twice).
    throw new InputError(input, reasonOf(error), 'profile');
  }

  const bar = progressBar(io, 2 * size, 'profiling');
  const counters: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
  let columns: string[] | undefined;
  for await (const row of readRows(input, format, counters)) {
    builder.add(row);
    bar.update(counters.bytes);
    columns ??= Object.keys(row);
    if (wanted.size > 0) for (const name of wanted.keys()) if (Object.hasOwn(row, name)) wanted.delete(name);
  }
  if (counters.rows === 0) {
    bar.stop();
    throw new InputError(input, noRows(format, counters));
  }
  const [absent, option] = wanted.entries().next().value ?? [];
  if (absent !== undefined) {
    bar.stop();
    const shown = (columns ?? []).slice(0, 20).map((c) => `"${c}"`);
    throw new InputError(
      input,
      `no column "${absent}" (${option}); its columns: ${shown.join(', ')}${(columns?.length ?? 0) > 20 ? ', …' : ''}`,
    );
  }
  builder.endPass1();
  const pass2: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
  for await (const row of readRows(input, format, pass2)) {
    builder.count(row);
    bar.update(size + pass2.bytes);
  }
  bar.stop();

  const profile = builder.finish();
  try {
    await writeFile(out, `${JSON.stringify(profile)}\n`);
  } catch (error) {
    throw new InputError(out, reasonOf(error), 'write');
  }
  const numericNames = profile.features.filter((f) => f.type === 'numeric').map((f) => f.name);
  const categoricalNames = profile.features.filter((f) => f.type === 'categorical').map((f) => f.name);
  io.stdout.write(
    printable(
      `profiled ${counters.rows} rows${counters.skipped ? ` (${counters.skipped} lines skipped: not JSON objects)` : ''}: ` +
        `numeric [${numericNames.join(', ')}], categorical [${categoricalNames.join(', ')}]` +
        `${profile.confidence ? `, confidence ${profile.confidence.name}` : ''}${profile.prediction ? `, prediction ${profile.prediction.name}` : ''}\n` +
        `wrote ${out}\n`,
      Number.POSITIVE_INFINITY,
    ),
  );
  return DRIFT_EXIT.ok;
}
