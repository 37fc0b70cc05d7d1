// Pure: prices as people read them (USD per million tokens, per image, per second...), and a
// plain text table.
import Big from 'big.js';
import { printable } from '../io.js';

/** The rates of a price entry. */
export type RateName =
  | 'input'
  | 'output'
  | 'cacheRead'
  | 'cacheWrite'
  | 'reasoning'
  | 'audioInput'
  | 'image'
  | 'audioSecond'
  | 'videoSecond'
  | 'character'
  | 'request';

/** Each rate, how it is shown, and the multiplier from the per-unit price. */
export const RATE_DISPLAY: readonly { rate: RateName; label: string; times: number }[] = [
  { rate: 'input', label: 'input /1M tok', times: 1_000_000 },
  { rate: 'output', label: 'output /1M tok', times: 1_000_000 },
  { rate: 'cacheRead', label: 'cache read /1M tok', times: 1_000_000 },
  { rate: 'cacheWrite', label: 'cache write /1M tok', times: 1_000_000 },
  { rate: 'reasoning', label: 'reasoning /1M tok', times: 1_000_000 },
  { rate: 'audioInput', label: 'audio input /1M tok', times: 1_000_000 },
  { rate: 'image', label: 'per image', times: 1 },
  { rate: 'audioSecond', label: 'per audio second', times: 1 },
  { rate: 'videoSecond', label: 'per video second', times: 1 },
  { rate: 'character', label: 'per 1M characters', times: 1_000_000 },
  { rate: 'request', label: 'per request', times: 1 },
];

/** A rate as dollars (`$2.5`), exact: `$0.075`, never `7.5e-8`; `-` when not a number. */
export function usd(value: Big.BigSource | undefined, times = 1): string {
  if (value === undefined) return '-';
  try {
    return `$${new Big(value).times(times).toFixed()}`;
  } catch {
    return '-';
  }
}

/** The rates an entry (or a tier) has, as `label $x` pairs in display order. */
export function ratesOf(entry: Partial<Record<RateName, Big.BigSource>>): string[] {
  const shown: string[] = [];
  for (const { rate, label, times } of RATE_DISPLAY) {
    const value = entry[rate];
    if (value !== undefined) shown.push(`${label} ${usd(value, times)}`);
  }
  return shown;
}

/** Rows as a table: columns padded to their widest cell, cells made safe to print. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((row) => row.map((cell) => printable(cell, 200)));
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  return `${all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}
