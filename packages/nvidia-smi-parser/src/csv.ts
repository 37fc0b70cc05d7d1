// `--query-gpu` and `--query-compute-apps` CSV, with or without `noheader` / `nounits`.
//
// Hand-written instead of a CSV library on purpose: nvidia-smi's "CSV" is not RFC 4180. It
// separates with ", ", never quotes, and a process name may itself contain a comma; a CSV
// library would split such a row into too many columns just the same, and we need the column
// merge below plus failure lines mixed into the rows, which no CSV library knows about.
import { NvidiaSmiError, describeArgument, detectFailure, notText } from './errors.js';
import { canonicalComputeAppsField, canonicalField } from './fields.js';
import type { GpuProcess, GpuReading } from './types.js';
import { enabled, integer, quantity, text } from './values.js';

interface CsvTable {
  rows: Array<Map<string, string>>;
  failures: NvidiaSmiError[];
}

const HEADER_CELL = /^[A-Za-z_][A-Za-z0-9_.]*(?:\s*\[[^\]]*\])?$/;

function splitRow(line: string): string[] {
  return line.split(',').map((s) => s.trim());
}

function looksLikeHeader(cells: string[]): boolean {
  return (
    cells.length > 0 &&
    cells.every((c) => HEADER_CELL.test(c)) &&
    cells.some((c) => /[._]/.test(c) || c === 'index' || c === 'name' || c === 'uuid' || c === 'pid')
  );
}

/**
 * A copy of the field list, checked: undefined, or an array of strings. Anything else (a string,
 * numbers in the list, a Proxy or a getter that throws) is a `malformed` NvidiaSmiError, so the
 * parsers throw nothing else whatever they are given. Copied so no caller code runs later.
 */
function checkedFields(fields: unknown, text: string, what: string): string[] | undefined {
  if (fields === undefined) return undefined;
  const bad = (got: string) =>
    new NvidiaSmiError('malformed', `${what}: fields must be an array of strings, got ${got}`, text);
  let copy: unknown[];
  try {
    if (!Array.isArray(fields)) throw bad(describeArgument(fields));
    copy = Array.from(fields as unknown[]);
  } catch (error) {
    if (error instanceof NvidiaSmiError) throw error;
    throw bad('a list that cannot be read');
  }
  const wrong = copy.findIndex((f) => typeof f !== 'string');
  if (wrong >= 0) throw bad(`${describeArgument(copy[wrong])} in the list`);
  return copy as string[];
}

function parseCsvTable(
  text: string,
  rawFields: readonly string[] | undefined,
  canon: (f: string) => string,
  freeTextColumns: readonly string[],
  what: string,
): CsvTable {
  if (typeof text !== 'string') throw notText(text, what);
  const fields = checkedFields(rawFields, text, what);
  const failures: NvidiaSmiError[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const failure = detectFailure(line);
    if (failure) failures.push(new NvidiaSmiError(failure.reason, failure.message, text));
    else lines.push(line);
  }
  let columns: string[] | undefined = fields?.map(canon);
  let start = 0;
  const first = lines[0];
  if (first !== undefined) {
    const cells = splitRow(first);
    const headerCols = cells.map(canon);
    const matchesFields =
      columns !== undefined && headerCols.length === columns.length && headerCols.every((c, i) => c === columns![i]);
    if (matchesFields || (columns === undefined && looksLikeHeader(cells))) {
      columns = headerCols;
      start = 1;
    } else if (columns !== undefined && looksLikeHeader(cells) && cells.length === columns.length) {
      // A header under names we did not ask for (an alias printed under its current name).
      columns = headerCols;
      start = 1;
    }
  }
  if (columns === undefined) {
    if (lines.length === 0) return { rows: [], failures };
    failures.push(
      new NvidiaSmiError(
        'malformed',
        `${what}: no header line, and no field list was given (noheader output needs the fields)`,
        text,
      ),
    );
    return { rows: [], failures };
  }
  if (new Set(columns).size !== columns.length || columns.some((c) => c.length === 0)) {
    failures.push(new NvidiaSmiError('malformed', `${what}: header has empty or repeated columns`, text));
    return { rows: [], failures };
  }
  const freeIndex = columns.findIndex((c) => freeTextColumns.includes(c));
  const rows: Array<Map<string, string>> = [];
  for (let i = start; i < lines.length; i++) {
    let cells = splitRow(lines[i]!);
    if (cells.length > columns.length && freeIndex >= 0) {
      // A comma inside the free-text column (process or product name): glue it back.
      const extra = cells.length - columns.length;
      const merged = cells.slice(freeIndex, freeIndex + extra + 1).join(', ');
      cells = [...cells.slice(0, freeIndex), merged, ...cells.slice(freeIndex + extra + 1)];
    }
    if (cells.length !== columns.length) {
      failures.push(
        new NvidiaSmiError(
          'malformed',
          `${what}: row ${i + 1} has ${cells.length} values for ${columns.length} columns`,
          text,
        ),
      );
      continue;
    }
    const row = new Map<string, string>();
    for (const [j, c] of columns.entries()) row.set(c, cells[j]!);
    rows.push(row);
  }
  return { rows, failures };
}

function gpuFromRow(row: Map<string, string>): GpuReading {
  const g = (f: string): string | undefined => row.get(f);
  const gpu: GpuReading = {
    index: integer(g('index')),
    uuid: text(g('uuid')),
    name: text(g('name')),
    pciBusId: text(g('pci.bus_id')),
    serial: text(g('serial')),
    driverVersion: text(g('driver_version')),
    memory: {
      totalBytes: quantity(g('memory.total'), 'bytes'),
      usedBytes: quantity(g('memory.used'), 'bytes'),
      freeBytes: quantity(g('memory.free'), 'bytes'),
      reservedBytes: quantity(g('memory.reserved'), 'bytes'),
    },
    utilization: {
      gpu: quantity(g('utilization.gpu'), 'ratio'),
      memory: quantity(g('utilization.memory'), 'ratio'),
      encoder: quantity(g('utilization.encoder'), 'ratio'),
      decoder: quantity(g('utilization.decoder'), 'ratio'),
    },
    // power.draw first; drivers where it is "[N/A]" may still give the average or instant reading.
    powerDrawWatts:
      quantity(g('power.draw'), 'watts') ??
      quantity(g('power.draw.average'), 'watts') ??
      quantity(g('power.draw.instant'), 'watts'),
    powerLimitWatts: quantity(g('enforced.power.limit'), 'watts') ?? quantity(g('power.limit'), 'watts'),
    temperatureCelsius: quantity(g('temperature.gpu'), 'celsius'),
    memoryTemperatureCelsius: quantity(g('temperature.memory'), 'celsius'),
    fanSpeedRatio: quantity(g('fan.speed'), 'ratio'),
    ecc: {
      correctedVolatile: integer(g('ecc.errors.corrected.volatile.total')),
      uncorrectedVolatile: integer(g('ecc.errors.uncorrected.volatile.total')),
      correctedAggregate: integer(g('ecc.errors.corrected.aggregate.total')),
      uncorrectedAggregate: integer(g('ecc.errors.uncorrected.aggregate.total')),
    },
    clocks: {
      graphics: quantity(g('clocks.current.graphics'), 'hertz'),
      sm: quantity(g('clocks.current.sm'), 'hertz'),
      memory: quantity(g('clocks.current.memory'), 'hertz'),
      video: quantity(g('clocks.current.video'), 'hertz'),
    },
    performanceState: text(g('pstate')),
    migEnabled: enabled(g('mig.mode.current')),
    migDevices: [],
    processes: [],
  };
  return gpu;
}

function processFromRow(row: Map<string, string>): GpuProcess {
  return {
    pid: integer(row.get('pid')),
    name: text(row.get('process_name')),
    usedMemoryBytes: quantity(row.get('used_gpu_memory'), 'bytes'),
    gpuUuid: text(row.get('gpu_uuid')),
  };
}

/** What the lenient CSV parsers return: the rows that parsed, and the failures seen beside them. */
export interface PartialResult<T> {
  items: T[];
  /** Failure lines found among the rows (a lost GPU), or rows that did not parse. */
  failures: NvidiaSmiError[];
}

/** The table, or no rows and the one failure when an argument is of the wrong type. */
function tableOrFailure(
  text: string,
  fields: readonly string[] | undefined,
  canon: (f: string) => string,
  freeTextColumns: readonly string[],
  what: string,
): CsvTable {
  try {
    return parseCsvTable(text, fields, canon, freeTextColumns, what);
  } catch (error) {
    // Only the argument checks throw, and only NvidiaSmiError; anything else is a bug to surface.
    if (error instanceof NvidiaSmiError) return { rows: [], failures: [error] };
    throw error;
  }
}

/**
 * Like parseQueryGpuCsv, but keeps the GPUs that did report when one line is a failure (on a
 * host where one GPU has fallen off the bus, nvidia-smi still prints the others). Never throws:
 * an output that is not a string or a field list that is not an array of strings comes back as
 * no items and one `malformed` failure.
 */
export function parseQueryGpuCsvPartial(text: string, fields?: readonly string[]): PartialResult<GpuReading> {
  const t = tableOrFailure(text, fields, canonicalField, ['name'], '--query-gpu');
  const failures = [...t.failures];
  if (t.rows.length === 0 && failures.length === 0) {
    failures.push(new NvidiaSmiError('malformed', '--query-gpu: no GPU rows in the output', text));
  }
  return { items: t.rows.map(gpuFromRow), failures };
}

/**
 * `--query-gpu=<fields> --format=csv[,noheader][,nounits]`. With a header, the fields come
 * from it; with `noheader`, `fields` (the list passed to --query-gpu) is required. Throws
 * NvidiaSmiError when the output holds a failure line or a row that does not parse.
 */
export function parseQueryGpuCsv(text: string, fields?: readonly string[]): GpuReading[] {
  const r = parseQueryGpuCsvPartial(text, fields);
  if (r.failures.length > 0) throw r.failures[0]!;
  return r.items;
}

/** Like parseComputeAppsCsv, keeping the rows that parsed. Never throws (see parseQueryGpuCsvPartial). */
export function parseComputeAppsCsvPartial(text: string, fields?: readonly string[]): PartialResult<GpuProcess> {
  const t = tableOrFailure(text, fields, canonicalComputeAppsField, ['process_name'], '--query-compute-apps');
  return { items: t.rows.map(processFromRow), failures: t.failures };
}

/** `--query-compute-apps=<fields> --format=csv[,noheader][,nounits]`. Empty output: no processes. */
export function parseComputeAppsCsv(text: string, fields?: readonly string[]): GpuProcess[] {
  const r = parseComputeAppsCsvPartial(text, fields);
  if (r.failures.length > 0) throw r.failures[0]!;
  return r.items;
}
