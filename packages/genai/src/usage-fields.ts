// Readers of untrusted response bodies shared by the usage extractors of the newer providers:
// each returns undefined for anything that is not what it reads.
import type { ProviderUsage } from './types.js';

export type Json = Record<string, unknown>;

/** `value` as a plain object, or undefined. */
export function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

/** A finite count of zero or more, or undefined. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The sum of the counts that are present, or undefined when none is. */
export function sum(...values: (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const value of values) if (value !== undefined) total = (total ?? 0) + value;
  return total;
}

/** `usage` without its undefined fields, or undefined when nothing is left. */
export function reported(usage: ProviderUsage): ProviderUsage | undefined {
  const result: ProviderUsage = {};
  for (const [key, value] of Object.entries(usage) as [keyof ProviderUsage, unknown][]) {
    if (value !== undefined) (result as Record<string, unknown>)[key] = value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** An extractor that never throws: a body whose reading throws (a hostile getter) reports nothing. */
export function neverThrows(
  read: (body: unknown) => ProviderUsage | undefined,
): (body: unknown) => ProviderUsage | undefined {
  return (body) => {
    try {
      return read(body);
    } catch {
      return undefined;
    }
  };
}
