import { describe, expect, it } from 'vitest';
import { EXEMPLAR_INSTRUMENTS, EXEMPLAR_SLOTS, ExemplarStore } from './store.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('ExemplarStore', () => {
  it('keeps the newest exemplar per half-octave of value, per instrument', () => {
    const store = new ExemplarStore();
    expect(store.exemplars('http.server.request.duration')).toBeUndefined();
    store.offer('http.server.request.duration', 0.1, { a: '1' }, TRACE, SPAN);
    store.offer('http.server.request.duration', 0.101, { a: '2' }, TRACE, SPAN);
    store.offer('http.server.request.duration', 5, { a: '3' }, TRACE, SPAN);
    store.offer('http.server.request.duration', 0, {}, TRACE, SPAN);
    const kept = store.exemplars('http.server.request.duration')!;
    expect(kept.map((e) => [e.value, e.attributes.a])).toEqual([
      [0, undefined],
      [0.101, '2'],
      [5, '3'],
    ]);
    expect(kept[1]).toMatchObject({ traceId: TRACE, spanId: SPAN });
    expect(kept[1]!.timeMs).toBeGreaterThan(Date.UTC(2024, 0));
    expect(store.exemplars('other')).toBeUndefined();
  });

  it('bounds its slots per instrument and its instruments', () => {
    const store = new ExemplarStore();
    for (let exponent = -60; exponent <= 60; exponent++) store.offer('h', 2 ** exponent, {}, TRACE, SPAN);
    expect(store.exemplars('h')!.length).toBeLessThanOrEqual(EXEMPLAR_SLOTS);
    expect(store.exemplars('h')!.map((e) => e.value)).toContain(2 ** 60);
    for (let i = 0; i < EXEMPLAR_INSTRUMENTS + 10; i++) store.offer(`h${i}`, 1, {}, TRACE, SPAN);
    expect(store.exemplars(`h${EXEMPLAR_INSTRUMENTS - 2}`)).toHaveLength(1);
    expect(store.exemplars(`h${EXEMPLAR_INSTRUMENTS + 5}`)).toBeUndefined();
  });
});
