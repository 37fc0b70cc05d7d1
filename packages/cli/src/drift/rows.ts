// Streams the records of a CSV or JSON-lines file, one at a time, so a file of any size is read
// in bounded memory. CSV goes through csv-parse (header row = column names, values stay
// strings); JSON lines are parsed line by line, and a line that is not a JSON object is skipped
// and counted.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

/** The input formats. */
export type DataFormat = 'csv' | 'jsonl';

/** Counts kept while reading. */
export interface ReadCounters {
  bytes: number;
  rows: number;
  skipped: number;
}

/** The format from --format, else from the file name (.csv, else JSON lines). */
export function formatOf(path: string, explicit: string | undefined): DataFormat | undefined {
  if (explicit !== undefined) return explicit === 'csv' || explicit === 'jsonl' ? explicit : undefined;
  return /\.csv$/i.test(path) ? 'csv' : 'jsonl';
}

/** The file's size in bytes (for the progress bar). */
export async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

/** Yields every record of the file; `counters` is updated as it goes. */
export async function* readRows(
  path: string,
  format: DataFormat,
  counters: ReadCounters,
): AsyncGenerator<Record<string, unknown>> {
  const stream = createReadStream(path);
  stream.on('data', (chunk) => {
    counters.bytes += chunk.length;
  });
  try {
    if (format === 'csv') {
      const parser = stream.pipe(
        parse({ columns: true, skip_empty_lines: true, relax_column_count: true, bom: true, trim: true }),
      );
      for await (const record of parser as AsyncIterable<Record<string, unknown>>) {
        counters.rows++;
        yield record;
      }
      return;
    }
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        counters.skipped++;
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        counters.skipped++;
        continue;
      }
      counters.rows++;
      yield value as Record<string, unknown>;
    }
  } finally {
    stream.destroy();
  }
}
