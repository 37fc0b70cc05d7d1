import { describe, expect, it } from 'vitest';
import { isValidWindow, ROLLING_BUCKETS, windowBuckets, windowLabel } from './window.js';

const t = (iso: string): number => Date.parse(iso);

describe('calendar windows (UTC)', () => {
  it('hour: from the start of the hour', () => {
    expect(windowBuckets('hour', t('2025-06-15T10:59:59.999Z'))).toEqual({
      starts: [t('2025-06-15T10:00:00Z')],
      length: 3_600_000,
      windowStart: t('2025-06-15T10:00:00Z'),
    });
    expect(windowBuckets('hour', t('2025-06-15T11:00:00.000Z')).windowStart).toBe(t('2025-06-15T11:00:00Z'));
  });

  it('day: from UTC midnight', () => {
    expect(windowBuckets('day', t('2025-01-31T23:59:59.999Z')).windowStart).toBe(t('2025-01-31T00:00:00Z'));
    expect(windowBuckets('day', t('2025-02-01T00:00:00.000Z')).windowStart).toBe(t('2025-02-01T00:00:00Z'));
    expect(windowBuckets('day', t('2025-02-01T00:00:00.000Z')).length).toBe(86_400_000);
  });

  it('month: from the first of the month, as long as the month', () => {
    expect(windowBuckets('month', t('2025-01-31T23:59:59.999Z'))).toEqual({
      starts: [t('2025-01-01T00:00:00Z')],
      length: 31 * 86_400_000,
      windowStart: t('2025-01-01T00:00:00Z'),
    });
    expect(windowBuckets('month', t('2025-02-01T00:00:00.000Z'))).toEqual({
      starts: [t('2025-02-01T00:00:00Z')],
      length: 28 * 86_400_000,
      windowStart: t('2025-02-01T00:00:00Z'),
    });
    expect(windowBuckets('month', t('2024-02-29T12:00:00Z')).length).toBe(29 * 86_400_000);
    expect(windowBuckets('month', t('2025-12-31T23:59:59.999Z')).windowStart).toBe(t('2025-12-01T00:00:00Z'));
    expect(windowBuckets('month', t('2026-01-01T00:00:00.000Z')).windowStart).toBe(t('2026-01-01T00:00:00Z'));
  });

  it('does not depend on the local time zone', () => {
    const saved = process.env['TZ'];
    try {
      for (const zone of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kolkata']) {
        process.env['TZ'] = zone;
        expect(windowBuckets('month', t('2025-01-31T23:30:00Z')).windowStart).toBe(t('2025-01-01T00:00:00Z'));
        expect(windowBuckets('day', t('2025-01-31T23:30:00Z')).windowStart).toBe(t('2025-01-31T00:00:00Z'));
        expect(windowBuckets('hour', t('2025-01-31T23:30:00Z')).windowStart).toBe(t('2025-01-31T23:00:00Z'));
      }
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('rolling windows', () => {
  it('are kept in 60 buckets of window / 60 (at least 1 s)', () => {
    const now = t('2025-06-15T12:34:56.789Z');
    const { starts, length, windowStart } = windowBuckets({ rollingSeconds: 3600 }, now);
    expect(ROLLING_BUCKETS).toBe(60);
    expect(length).toBe(60_000);
    expect(starts).toHaveLength(60);
    expect(starts[59]).toBe(t('2025-06-15T12:34:00Z'));
    expect(starts[0]).toBe(t('2025-06-15T11:35:00Z'));
    expect(windowStart).toBe(now - 3_600_000);
    expect(windowBuckets({ rollingSeconds: 10 }, now).length).toBe(1000);
  });
});

describe('window settings', () => {
  it('are validated and labelled', () => {
    for (const w of ['hour', 'day', 'month', { rollingSeconds: 1 }, { rollingSeconds: 86_400 }])
      expect(isValidWindow(w)).toBe(true);
    for (const w of [
      'week',
      '',
      null,
      undefined,
      5,
      {},
      { rollingSeconds: 0 },
      { rollingSeconds: Number.NaN },
      { rollingSeconds: '60' },
    ]) {
      expect(isValidWindow(w), JSON.stringify(w)).toBe(false);
    }
    expect(windowLabel('hour')).toBe('hour');
    expect(windowLabel({ rollingSeconds: 60 })).toBe('rolling');
  });
});
