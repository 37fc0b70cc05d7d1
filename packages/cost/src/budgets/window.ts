import type { BudgetWindow } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Buckets a rolling window is kept in: its resolution is the window length / 60. */
export const ROLLING_BUCKETS = 60;

/** The window's label for `ml.budget.window`. */
export function windowLabel(window: BudgetWindow): string {
  return typeof window === 'string' ? window : 'rolling';
}

/** Whether a window setting is valid. */
export function isValidWindow(window: unknown): window is BudgetWindow {
  if (window === 'hour' || window === 'day' || window === 'month') return true;
  const seconds = (window as { rollingSeconds?: unknown } | null)?.rollingSeconds;
  return typeof window === 'object' && typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 1;
}

/**
 * The buckets the window covers at `now` (UTC ms), as [start, length] pairs: one bucket for a
 * calendar window (its start: the hour, UTC midnight, the first of the month), the last
 * {@link ROLLING_BUCKETS} buckets for a rolling one.
 */
export function windowBuckets(
  window: BudgetWindow,
  now: number,
): { starts: number[]; length: number; windowStart: number } {
  if (window === 'hour') {
    const start = Math.floor(now / HOUR) * HOUR;
    return { starts: [start], length: HOUR, windowStart: start };
  }
  if (window === 'day') {
    const start = Math.floor(now / DAY) * DAY;
    return { starts: [start], length: DAY, windowStart: start };
  }
  if (window === 'month') {
    const date = new Date(now);
    const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    return { starts: [start], length: next - start, windowStart: start };
  }
  const length = Math.max(1000, Math.ceil((window.rollingSeconds * 1000) / ROLLING_BUCKETS));
  const current = Math.floor(now / length) * length;
  const starts = [];
  for (let i = ROLLING_BUCKETS - 1; i >= 0; i--) starts.push(current - i * length);
  return { starts, length, windowStart: now - window.rollingSeconds * 1000 };
}
