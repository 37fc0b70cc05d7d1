// The HTTP series cache: one frozen object per key, bounded.
import { describe, expect, it } from 'vitest';
import { MAX_SERIES, SeriesCache } from './http-series.js';

describe('SeriesCache', () => {
  it('gives the same frozen object for a key, built once', () => {
    const cache = new SeriesCache();
    let built = 0;
    const build = () => {
      built++;
      return { 'http.request.method': 'GET' };
    };
    const first = cache.get('GET', build);
    expect(cache.get('GET', build)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(built).toBe(1);
    expect(cache.get('POST', () => ({ 'http.request.method': 'POST' }))).not.toBe(first);
  });

  it('keeps at most MAX_SERIES keys; past them a set is fresh and unfrozen each time', () => {
    const cache = new SeriesCache();
    for (let i = 0; i < MAX_SERIES; i++) cache.get(String(i), () => ({ i }));
    const extra = cache.get('extra', () => ({ i: -1 }));
    expect(Object.isFrozen(extra)).toBe(false);
    expect(cache.get('extra', () => ({ i: -1 }))).not.toBe(extra);
    expect(Object.isFrozen(cache.get('0', () => ({ i: 0 })))).toBe(true);
  });
});
