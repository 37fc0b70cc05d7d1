// Streams the records of a CSV or JSON-lines file, one at a time, so a file of any size is read
// in bounded memory. CSV goes through csv-parse (header row = column names, values stay
// strings); JSON lines are split here, with a length limit, and a line that is not a JSON object
// is skipped and counted. Every problem with the file (missing, a directory, binary data, a bad
// quote, a record over MAX_RECORD_BYTES) ends the read with an InputError naming the file.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { InputError, reasonOf } from './errors.js';

/** The input formats. */
export type DataFormat = 'csv' | 'jsonl';

/** Counts kept while reading. */
export interface ReadCounters {
  bytes: number;
  rows: number;
  skipped: number;
}

/** The longest CSV record or JSON line read (8 MiB): a longer one is an input error, not a heap. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** The format from --format, else from the file name (.csv, else JSON lines). */
export function formatOf(path: string, explicit: string | undefined): DataFormat | undefined {
  if (explicit !== undefined) return explicit === 'csv' || explicit === 'jsonl' ? explicit : undefined;
  return /\.csv$/i.test(path) ? 'csv' : 'jsonl';
}

/**
 * The file's size in bytes (for the progress bar), after checking it can be read as data: a
 * regular file, or (when `stream` is allowed: one pass only) a FIFO or character device such as
 * /dev/stdin. Throws InputError otherwise.
 */
export async function sizeOf(path: string, { stream = false }: { stream?: boolean } = {}): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new InputError(path, reasonOf(error));
  }
  if (info.isFile()) return info.size;
  if (stream && (info.isFIFO() || info.isCharacterDevice())) return 0;
  const kind = info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a FIFO' : 'a device or socket';
  // `profile` reads its data twice: a FIFO would give nothing (or wait for ever) the second time.
  throw new InputError(path, `not a regular file (${kind})`);
}

/** Counts bytes, and stops at the first NUL: CSV and JSON lines are text, a NUL means binary. */
function textGuard(path: string, counters: ReadCounters): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        done(new InputError(path, `binary data (a NUL byte at byte ${counters.bytes + nul}), not CSV or JSON lines`));
        return;
      }
      counters.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

const tooLong = (path: string, what: string) =>
  new InputError(path, `${what} is longer than ${MAX_RECORD_BYTES / 1048576} MiB (the most one record may have)`);

/** The lines of a byte stream, each at most MAX_RECORD_BYTES; a trailing \r is dropped. */
async function* linesOf(source: AsyncIterable<Buffer>, path: string): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let line = 0;
  const text = (bytes: Buffer) => {
    const s = bytes.toString('utf8');
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  for await (const chunk of source) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      line++;
      const piece = chunk.subarray(start, nl);
      if (pendingLength + piece.length > MAX_RECORD_BYTES) throw tooLong(path, `line ${line}`);
      yield text(pendingLength === 0 ? piece : Buffer.concat([...pending, piece]));
      pending = [];
      pendingLength = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingLength += chunk.length - start;
      if (pendingLength > MAX_RECORD_BYTES) throw tooLong(path, `line ${line + 1}`);
    }
  }
  if (pendingLength > 0) yield text(Buffer.concat(pending));
}

/** Yields every record of the file; `counters` is updated as it goes. Throws InputError. */
export async function* readRows(
  path: string,
  format: DataFormat,
  counters: ReadCounters,
): AsyncGenerator<Record<string, unknown>> {
  const file = createReadStream(path);
  const guard = textGuard(path, counters);
  const csv =
    format === 'csv'
      ? parse({
          columns: true,
          skip_empty_lines: true,
          relax_column_count: true,
          bom: true,
          trim: true,
          max_record_size: MAX_RECORD_BYTES,
        })
      : undefined;
  // pipeline forwards an error of any stage (ENOENT, EISDIR, the NUL guard) to the last one, where
  // the loop below sees it; the callback only keeps an early `break` from being reported.
  const last: Readable = csv ? pipeline(file, guard, csv, () => {}) : pipeline(file, guard, () => {});
  try {
    if (csv) {
      for await (const record of last as AsyncIterable<Record<string, unknown>>) {
        counters.rows++;
        yield record;
      }
      return;
    }
    for await (const line of linesOf(last as AsyncIterable<Buffer>, path)) {
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
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') throw tooLong(path, 'a CSV record');
    throw new InputError(path, reasonOf(error));
  } finally {
    file.destroy();
    last.destroy();
  }
}
