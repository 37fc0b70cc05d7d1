import type { InstrumentKind } from './types.js';

/**
 * The Prometheus metric type an instrument maps to: monotonic sums are counters, non-monotonic
 * sums and gauges are gauges.
 */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

/** Prometheus type of an OTel instrument kind. */
export function prometheusTypeOf(kind: InstrumentKind): PrometheusType {
  switch (kind) {
    case 'Counter':
    case 'ObservableCounter':
      return 'counter';
    case 'Histogram':
      return 'histogram';
    default:
      return 'gauge';
  }
}

// UCUM units to Prometheus words, as in the OTel spec "Prometheus and OpenMetrics Compatibility"
// and the Collector's translator (pkg/translator/prometheus), which VictoriaMetrics follows too.
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const TOKEN_SEPARATORS = /[/_.\-: ]+/;
const INVALID_CHARS = /[^a-zA-Z0-9_:]/g;

function unitWord(unit: string, words: Readonly<Record<string, string>>): string {
  const trimmed = unit.trim();
  // Annotations such as {task} or {USD} carry no Prometheus suffix.
  if (trimmed === '' || trimmed.includes('{')) return '';
  return (words[trimmed] ?? trimmed).replace(INVALID_CHARS, '_');
}

function moveToEnd(tokens: string[], token: string): void {
  const at = tokens.indexOf(token);
  if (at >= 0) tokens.splice(at, 1);
  tokens.push(token);
}

/**
 * The Prometheus name of an OTel metric by the OTel-to-Prometheus compatibility rules: the name
 * split into words, the unit word appended unless already a word of the name (`s` -> `seconds`,
 * `{annotation}` -> nothing, `By/s` -> `bytes_per_second`), `total` moved to the end of counters
 * and `ratio` to the end of unit-`1` gauges. Histogram series add `_bucket`/`_sum`/`_count` to it.
 */
export function toPrometheusName(name: string, unit: string, type: PrometheusType): string {
  const tokens = name.split(TOKEN_SEPARATORS).filter((t) => t !== '');
  const slash = unit.indexOf('/');
  const main = unitWord(slash >= 0 ? unit.slice(0, slash) : unit, UNIT_WORDS);
  const per = slash >= 0 ? unitWord(unit.slice(slash + 1), PER_UNIT_WORDS) : '';
  if (main !== '' && !tokens.includes(main)) tokens.push(main);
  if (per !== '' && !tokens.includes(per)) tokens.push('per', per);
  if (type === 'counter') moveToEnd(tokens, 'total');
  else if (type === 'gauge' && unit.trim() === '1') moveToEnd(tokens, 'ratio');
  let joined = tokens.join('_').replace(INVALID_CHARS, '_');
  if (/^[0-9]/.test(joined)) joined = `_${joined}`;
  return joined;
}

/** The Prometheus label name of an OTel attribute key (`ml.task.name` -> `ml_task_name`). */
export function toPrometheusLabel(key: string): string {
  const label = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(label) ? `key_${label}` : label;
}
