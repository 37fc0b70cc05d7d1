import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { values, worker } from '../../test/harness.js';
import { PeerHub } from './hub.js';
import type { Snapshot } from './snapshot.js';

afterEach(() => diag.disable());

describe('PeerHub', () => {
  function hub(answer: (key: string, id: number, h: PeerHub) => void, timeoutMs = 200) {
    const h: PeerHub = new PeerHub('ml.cluster.worker', timeoutMs, (keys, id) => {
      for (const key of keys) answer(key, id, h);
      return [];
    });
    return h;
  }

  it('keeps what exited workers counted, so the totals never go backwards', async () => {
    const workers = new Map([
      ['1', worker()],
      ['2', worker()],
    ]);
    const h = hub(
      (key, id, self) =>
        void workers
          .get(key)
          ?.snapshot()
          .then((s) => self.receive(key, s, id)),
    );
    const own: Snapshot = { v: 1, s: [] };
    h.join('1');
    h.join('2');
    workers.get('1')!.requests.add(5);
    workers.get('2')!.requests.add(3);
    expect(values(await h.merge(own), 'ml.tasks')).toEqual([[{}, 8]]);
    // Worker 1 counts two more, which the hub only learns from its last push, then exits.
    workers.get('1')!.requests.add(2);
    workers.get('1')!.queue.record(4);
    h.receive('1', await workers.get('1')!.snapshot());
    h.leave('1');
    workers.delete('1');
    // A replacement starts from zero and takes the free slot 0.
    workers.set('3', worker());
    h.join('3');
    workers.get('3')!.requests.add(1);
    workers.get('3')!.queue.record(2);
    const merged = await h.merge(own);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 5 + 2 + 3 + 1]]);
    // The dead worker's gauge is gone; the replacement reuses slot 0.
    expect(values(merged, 'ml.queue.size')).toEqual([[{ 'ml.cluster.worker': '0' }, 2]]);
    // A late message from the departed worker is not taken for a new one.
    h.receive('1', await worker().snapshot());
    expect(h.size).toBe(2);
  });

  it('serves a worker that does not answer from its last snapshot, within the timeout', async () => {
    const live = worker();
    const stuck = worker();
    let stuckAnswers = true;
    const h = hub((key, id, self) => {
      if (key === 'live') void live.snapshot().then((s) => self.receive(key, s, id));
      else if (stuckAnswers) void stuck.snapshot().then((s) => self.receive(key, s, id));
    }, 100);
    h.join('live');
    h.join('stuck');
    stuck.requests.add(10);
    stuck.queue.record(3);
    await h.merge({ v: 1, s: [] });
    stuckAnswers = false;
    live.requests.add(1);
    const merged = await h.merge({ v: 1, s: [] });
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 11]]);
    expect(values(merged, 'ml.queue.size')).toEqual([[{ 'ml.cluster.worker': '1' }, 3]]);
    // After three missed requests its gauges are dropped, its counters stay.
    await h.merge({ v: 1, s: [] });
    await h.merge({ v: 1, s: [] });
    const later = await h.merge({ v: 1, s: [] });
    expect(values(later, 'ml.tasks')).toEqual([[{}, 11]]);
    expect(values(later, 'ml.queue.size')).toEqual([]);
  });
});

describe('PeerHub and silent peers', () => {
  it('stops waiting for a peer that never answered, after three requests', async () => {
    let asked = 0;
    const h = new PeerHub('ml.cluster.worker', 50, (keys) => {
      asked += keys.length;
      return [];
    });
    h.join('mute');
    for (let i = 0; i < 5; i++) await h.merge({ v: 1, s: [] });
    expect(asked).toBe(3);
    expect(h.size).toBe(1);
  });
});

describe('PeerHub slots and rounds', () => {
  const EMPTY: Snapshot = { v: 1, s: [] };

  it('gives each peer the lowest free slot, and a departed key never comes back', async () => {
    const a = worker();
    a.queue.record(1);
    const snapshot = await a.snapshot();
    const h = new PeerHub('ml.cluster.worker', 50, () => []);
    for (const key of ['a', 'b', 'c']) h.receive(key, snapshot);
    h.join('b');
    expect(h.size).toBe(3);
    h.leave('a');
    h.join('a');
    h.receive('a', snapshot);
    h.receive('d', snapshot);
    expect(h.size).toBe(3);
    const merged = await h.merge(EMPTY);
    expect(values(merged, 'ml.queue.size').map(([attributes]) => attributes['ml.cluster.worker'])).toEqual([
      '1',
      '2',
      '0',
    ]);
  });

  it('is active with live peers or with what departed ones counted', async () => {
    const a = worker();
    a.requests.add(1);
    const h = new PeerHub('ml.cluster.worker', 50, () => []);
    expect(h.active).toBe(false);
    h.join('silent');
    expect(h.active).toBe(true);
    h.leave('silent');
    expect([h.active, h.size]).toEqual([false, 0]);
    h.receive('counted', await a.snapshot());
    h.leave('counted');
    expect([h.active, h.size]).toEqual([true, 0]);
    expect(values(await h.merge(EMPTY), 'ml.tasks')).toEqual([[{}, 1]]);
  });

  it('does not wait for peers it cannot reach, nor when sending throws', async () => {
    const unreachable = new PeerHub('w', 5000, (keys) => keys);
    const throwing = new PeerHub('w', 5000, () => {
      throw new Error('channel closed');
    });
    for (const h of [unreachable, throwing]) {
      h.join('1');
      const started = Date.now();
      expect(await h.merge(EMPTY)).toEqual(EMPTY);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('a peer leaving ends the round it was awaited in', async () => {
    let leave = (): void => {};
    const h = new PeerHub('w', 5000, () => {
      setTimeout(() => leave(), 20);
      return [];
    });
    h.join('1');
    leave = () => h.leave('1');
    const started = Date.now();
    await h.merge(EMPTY);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.size).toBe(0);
  });
});
