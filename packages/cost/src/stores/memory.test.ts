import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/harness.js';
import { MemoryStore } from './memory.js';

const T0 = Date.parse('2025-06-15T12:00:00.000Z');
const HOUR = 3_600_000;

describe('MemoryStore', () => {
  it('adds, reads and expires counters', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryStore(clock.now);
    expect(store.description).toBe('memory');
    expect(store.shared).toBe(false);
    expect(await store.add('a', 5n, T0 + HOUR)).toBe(5n);
    expect(await store.add('a', 7n, T0 + HOUR)).toBe(12n);
    expect(await store.add('b', 1n, T0 + 2 * HOUR)).toBe(1n);
    expect(await store.get(['a', 'b', 'missing'])).toEqual([12n, 1n, 0n]);
    clock.set('2025-06-15T13:00:00.000Z');
    expect(await store.get(['a', 'b'])).toEqual([0n, 1n]);
    // An expired counter starts again from zero.
    expect(await store.add('a', 3n, T0 + 3 * HOUR)).toBe(3n);
  });
});

describe('MemoryStore totals', () => {
  it('are exact beyond 2^53 and concurrent adds all count', async () => {
    const store = new MemoryStore(() => T0);
    await store.add('big', 2n ** 64n, T0 + HOUR);
    expect(await store.add('big', 1n, T0 + HOUR)).toBe(2n ** 64n + 1n);
    const totals = await Promise.all(Array.from({ length: 100 }, () => store.add('many', 3n, T0 + HOUR)));
    expect(totals.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => 3 * (i + 1)));
    expect(await store.get(['many', 'big'])).toEqual([300n, 2n ** 64n + 1n]);
  });

  it('expire at their time exactly, and are gone from memory once expired', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryStore(clock.now);
    await store.add('a', 1n, T0 + 1000);
    clock.advance(999);
    expect(await store.get(['a'])).toEqual([1n]);
    clock.advance(1);
    expect(await store.get(['a'])).toEqual([0n]);
    // Any add drops every expired counter (the map does not grow with old windows).
    await store.add('b', 1n, T0 + HOUR);
    expect((store as unknown as { counters: Map<string, unknown> }).counters.has('a')).toBe(false);
    await expect(store.close()).resolves.toBeUndefined();
  });
});
