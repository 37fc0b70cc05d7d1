import { describe, expect, it } from 'vitest';
import { LabelMatcher, labelKey, MAX_ID_LENGTH } from './labels.js';

describe('labelKey', () => {
  it('keeps non-empty strings up to 256 characters and finite numbers (as strings)', () => {
    expect(labelKey('req-1')).toBe('req-1');
    expect(labelKey('x'.repeat(MAX_ID_LENGTH))).toBe('x'.repeat(256));
    expect(labelKey(42)).toBe('42');
    expect(labelKey(-0.5)).toBe('-0.5');
  });

  it('refuses everything else', () => {
    for (const id of ['', 'x'.repeat(257), Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}, true])
      expect(labelKey(id)).toBeUndefined();
  });
});

describe('LabelMatcher', () => {
  it('matches labels in any order and computes accuracy over the last `window` results', () => {
    const m = new LabelMatcher(3, 100, 1000, () => 0);
    expect(m.accuracy()).toBeUndefined();
    for (const [id, predicted] of [
      ['a', 'cat'],
      ['b', 'dog'],
      ['c', 'cat'],
      ['d', 'cat'],
    ])
      m.expect(id!, predicted!);
    expect(m.label('d', 'dog')).toBe(true); // wrong
    expect(m.label('a', 'cat')).toBe(true); // right
    expect(m.accuracy()).toBe(0.5);
    expect(m.label('b', 'dog')).toBe(true);
    expect(m.label('c', 'cat')).toBe(true);
    // The ring of 3 dropped d's miss: right, right, right.
    expect(m.accuracy()).toBe(1);
    expect([m.matched, m.unmatched, m.pendingCount]).toEqual([4, 0, 0]);
  });

  it('counts a label for an unknown or already labelled id as unmatched', () => {
    const m = new LabelMatcher(10, 100, 1000, () => 0);
    m.expect('a', 'x');
    expect(m.label('a', 'x')).toBe(true);
    expect(m.label('a', 'x')).toBe(false);
    expect(m.label('zzz', 'x')).toBe(false);
    expect([m.matched, m.unmatched, m.accuracy()]).toEqual([1, 2, 1]);
  });

  it('evicts the oldest pending prediction beyond maxPending, and a repeated id moves to the end', () => {
    const m = new LabelMatcher(10, 2, 1000, () => 0);
    m.expect('a', 'x');
    m.expect('b', 'x');
    m.expect('a', 'y'); // refreshed: b is now the oldest
    m.expect('c', 'x');
    expect([m.pendingCount, m.evicted]).toEqual([2, 1]);
    expect(m.label('b', 'x')).toBe(false);
    expect(m.label('a', 'y')).toBe(true);
    expect(m.accuracy()).toBe(1);
  });

  it('expires predictions older than the TTL, on the next call', () => {
    let now = 0;
    const m = new LabelMatcher(10, 100, 1000, () => now);
    m.expect('a', 'x');
    now = 500;
    m.expect('b', 'x');
    now = 1000;
    expect(m.label('a', 'x')).toBe(true); // exactly the TTL: still pending
    now = 1501;
    expect(m.label('b', 'x')).toBe(false);
    expect([m.expired, m.unmatched, m.pendingCount]).toEqual([1, 1, 0]);
  });
});
