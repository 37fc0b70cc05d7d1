// Value normalisation shared by all the parsers: absent markers to undefined, numbers with units
// to SI-ish base units (bytes, ratio 0..1, watts, hertz, celsius). Never NaN, never Infinity.

/**
 * Texts nvidia-smi prints instead of a value. In CSV they come in brackets (`[N/A]`,
 * `[Not Supported]`, `[Requested functionality has been deprecated]`, `[Unknown Error]`,
 * `[Insufficient Permissions]`, `[GPU requires reset]`, `[Function Not Found]`); in XML and on
 * old drivers without (`N/A`); in the table `ERR!` and `ERR%`.
 */
const ABSENT_WORDS = new Set(
  [
    '',
    'n/a',
    'na',
    'err!',
    'err%',
    'err',
    'unknown error',
    'not supported',
    'not available',
    'requested functionality has been deprecated',
    'insufficient permissions',
    'gpu requires reset',
    'function not found',
    'none',
  ].map((s) => s.toLowerCase()),
);

/** True when `raw` is one of nvidia-smi's "no value" markers (or empty). */
export function isAbsent(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const t = raw.trim();
  if (t.startsWith('[') && t.endsWith(']')) return true;
  return ABSENT_WORDS.has(t.toLowerCase());
}

/** The trimmed text, or undefined when it is an absent marker. */
export function text(raw: string | undefined): string | undefined {
  if (raw === undefined || isAbsent(raw)) return undefined;
  return raw.trim();
}

/** The kind of figure a value is read as, which fixes its base unit. */
export type Quantity = 'bytes' | 'ratio' | 'watts' | 'hertz' | 'celsius' | 'count';

const FACTORS: Record<Quantity, Record<string, number>> = {
  // A bare number is in the unit nvidia-smi uses for the field (MiB, %, W, MHz, C).
  bytes: { '': 1048576, mib: 1048576, kib: 1024, gib: 1073741824, b: 1 },
  ratio: { '': 100, '%': 100 }, // divisor: 35 / 100 is 0.35 exactly, 35 * 0.01 is not
  watts: { '': 1, w: 1, mw: 0.001 },
  hertz: { '': 1e6, mhz: 1e6, ghz: 1e9, khz: 1e3, hz: 1 },
  celsius: { '': 1, c: 1 },
  count: { '': 1 },
};

const NUMBER = /^(-?\d{1,30}(?:\.\d{1,30})?)\s*([A-Za-z%]{0,3})$/;

/** A number with an optional unit, converted to the base unit of `kind`; undefined when absent or invalid. */
export function quantity(raw: string | undefined, kind: Quantity): number | undefined {
  if (raw === undefined) return undefined;
  const m = NUMBER.exec(raw.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  if (!Object.hasOwn(FACTORS[kind], unit)) return undefined;
  const factor = FACTORS[kind][unit]!;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  if (kind === 'celsius') return n;
  if (n < 0) return undefined;
  if (kind === 'count' && !Number.isInteger(n)) return undefined;
  // MiB × 1048576 and MHz × 1e6 stay exact for integral inputs; round away float noise for bytes.
  const v = kind === 'bytes' ? Math.round(n * factor) : kind === 'ratio' ? n / factor : n * factor;
  if (kind === 'ratio' && v > 1) return undefined;
  return Number.isFinite(v) ? v : undefined;
}

/** A non-negative integer (index, pid, instance id); undefined otherwise. */
export function integer(raw: string | undefined): number | undefined {
  return quantity(raw, 'count');
}

/** `Enabled`/`Disabled` (also `On`/`Off`, `Yes`/`No`) to a boolean; undefined otherwise. */
export function enabled(raw: string | undefined): boolean | undefined {
  const t = text(raw)?.toLowerCase();
  if (t === 'enabled' || t === 'on' || t === 'yes') return true;
  if (t === 'disabled' || t === 'off' || t === 'no') return false;
  return undefined;
}
