// `mltel drift compare <profile.json> <data>`: scores a second file against a profile and prints
// a table (or JSON) of the scores per feature and method, marked against the default thresholds.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  crossingsOf,
  DEFAULT_THRESHOLDS,
  ProfileComparer,
  readProfileFile,
  severityOf,
  worstSeverity,
} from '@mltel/quality';
import type { DriftSeverity, FeatureComparison } from '@mltel/quality';
import { ML_DRIFT_METHOD_VALUES } from '@mltel/semconv';
import type { CliIo } from '../io.js';
import { printable } from '../io.js';
import { DRIFT_EXIT, InputError } from './errors.js';
import { noRows } from './profile.js';
import { progressBar } from './progress.js';
import { formatOf, readRows, sizeOf } from './rows.js';
import type { ReadCounters } from './rows.js';

/** The help of `mltel drift compare`. */
export const COMPARE_USAGE = `Usage: mltel drift compare <profile.json> <data.csv|data.jsonl> [options]

Scores a file against a reference profile: PSI, Jensen-Shannon distance and Hellinger on the
profile's bins, KS and Wasserstein from quantile sketches. "!" marks a score at or above the
warning threshold, "!!" at or above critical (PSI 0.1/0.25; JS, Hellinger, KS 0.1/0.2).

Options:
  --fail-on <warning|critical>  exit 1 when any score reaches this level
  --json                        print JSON instead of a table
  --format <csv|jsonl>          input format (default: csv for *.csv, else jsonl)

The profile must be a regular file of at most 64 MiB. The data file may be a regular file or a
pipe (/dev/stdin), each CSV record or JSON line at most 8 MiB.

Exit codes: 0 scored (and nothing reached --fail-on); 1 a score reached --fail-on; 2 bad
arguments; 3 the profile or the data file could not be read, is invalid or holds no rows (the
message names the file and the reason).
`;

/** The mark after a score at each severity. */
const MARKS: Record<DriftSeverity, string> = { warning: '!', critical: '!!' };

/** The results as an aligned text table. */
export function renderTable(results: readonly FeatureComparison[]): string {
  const header = ['feature', 'kind', 'n', 'missing', 'invalid', ...ML_DRIFT_METHOD_VALUES];
  const rows = results.map((r) => [
    // Names come from the profile file: a control character must not reach the terminal.
    printable(r.feature),
    r.kind,
    String(r.samples),
    String(r.missing),
    String(r.invalid),
    ...ML_DRIFT_METHOD_VALUES.map((m) => {
      const s = r.scores[m];
      if (s === undefined || !Number.isFinite(s)) return '-';
      const severity = severityOf(s, DEFAULT_THRESHOLDS[m]);
      return `${s.toFixed(4)}${severity === undefined ? '' : MARKS[severity]}`;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** Runs `mltel drift compare`; throws InputError for a file it cannot use (see DRIFT_EXIT). */
export async function compareCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'fail-on': { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(COMPARE_USAGE);
    return DRIFT_EXIT.ok;
  }
  if (positionals.length !== 2) {
    io.stderr.write(`mltel drift compare: needs a profile and a data file\n\n${COMPARE_USAGE}`);
    return DRIFT_EXIT.usage;
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'warning' && failOn !== 'critical') {
    io.stderr.write(`mltel drift compare: --fail-on must be warning or critical, got "${failOn}"\n`);
    return DRIFT_EXIT.usage;
  }
  const input = resolve(io.cwd, positionals[1]!);
  const format = formatOf(input, values.format);
  if (format === undefined) {
    io.stderr.write(`mltel drift compare: --format must be csv or jsonl, got "${values.format}"\n`);
    return DRIFT_EXIT.usage;
  }
  const profilePath = resolve(io.cwd, positionals[0]!);
  const parsed = readProfileFile(profilePath);
  if (!parsed.ok) {
    io.stderr.write(
      `${printable(`mltel drift compare: the profile ${profilePath} is not usable: ${parsed.reason}`, 2048)}\n`,
    );
    return DRIFT_EXIT.input;
  }
  // One pass: a pipe (/dev/stdin) will do as well as a file.
  const size = await sizeOf(input, { stream: true });
  const comparer = new ProfileComparer(parsed.profile);
  const bar = progressBar(io, size, 'comparing');
  const counters: ReadCounters = { bytes: 0, rows: 0, skipped: 0 };
  for await (const row of readRows(input, format, counters)) {
    comparer.add(row);
    bar.update(counters.bytes);
  }
  bar.stop();
  if (counters.rows === 0) throw new InputError(input, noRows(format, counters));
  const results = comparer.results();
  const worst = worstSeverity(results.flatMap((r) => crossingsOf(r.scores, DEFAULT_THRESHOLDS)));
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ rows: counters.rows, skipped: counters.skipped, features: results }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(renderTable(results));
    io.stdout.write(
      `${counters.rows} rows${counters.skipped ? `, ${counters.skipped} lines skipped` : ''}; ! warning, !! critical\n`,
    );
  }
  const failed = failOn === 'warning' ? worst !== undefined : failOn === 'critical' && worst === 'critical';
  return failed ? DRIFT_EXIT.drift : DRIFT_EXIT.ok;
}
