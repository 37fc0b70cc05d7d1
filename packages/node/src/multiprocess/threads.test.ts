// The main thread's hub runs here; its peers are real worker threads (test/fixtures/peer.mjs)
// running the built reporter, talking over the same BroadcastChannels as under the preload.
import { BroadcastChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, nextMessage, peerModules, values, waitFor } from '../../test/harness.js';
import type { PeerHub } from './hub.js';
import type { Snapshot } from './snapshot.js';
import { startThreadHub, THREAD_WORKER_ATTRIBUTE } from './threads.js';

const EMPTY: Snapshot = { v: 1, s: [] };
const running: { stop(): void }[] = [];
const threads: Worker[] = [];

afterEach(async () => {
  for (const side of running.splice(0)) side.stop();
  await Promise.all(threads.splice(0).map((thread) => thread.terminate()));
});

function hub(timeoutMs = 2000): PeerHub {
  const side = startThreadHub(timeoutMs);
  running.push(side);
  return side.hub;
}

/** A worker thread reporting through startThreadReporter; resolves once it said hello. */
async function thread(options: Record<string, unknown>): Promise<Worker> {
  const worker = new Worker(fixture('peer.mjs'), {
    workerData: { modules: peerModules(), via: 'reporter', ...options },
  });
  threads.push(worker);
  await nextMessage(worker, (m) => m.peer === 'ready');
  return worker;
}

async function command(worker: Worker, peer: string, extra: Record<string, unknown> = {}): Promise<void> {
  const done = nextMessage(worker, (m) => m.peer === 'done' && m.command === peer);
  worker.postMessage({ peer, ...extra });
  await done;
}

describe('worker threads report to the main thread', () => {
  it('each thread says hello, answers at scrape time, and its gauges carry its slot', async () => {
    const h = hub();
    await thread({ tasks: 3, queue: 7 });
    await waitFor('the first thread to join', () => (h.size === 1 ? true : undefined));
    await thread({ tasks: 4, queue: 9 });
    await waitFor('the second thread to join', () => (h.size === 2 ? true : undefined));
    const merged = await h.merge(EMPTY);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 7]]);
    expect(values(merged, 'ml.queue.size')).toEqual([
      [{ [THREAD_WORKER_ATTRIBUTE]: '0' }, 7],
      [{ [THREAD_WORKER_ATTRIBUTE]: '1' }, 9],
    ]);
    expect(THREAD_WORKER_ATTRIBUTE).toBe('ml.thread.worker');
  });

  it('a thread that flushes says goodbye with its last counts, which stay after it is gone', async () => {
    const h = hub();
    const worker = await thread({ tasks: 3, queue: 1 });
    await waitFor('the thread to join', () => (h.size === 1 ? true : undefined));
    await command(worker, 'add', { n: 2 });
    await command(worker, 'flush');
    await waitFor('the goodbye', () => (h.size === 0 ? true : undefined));
    await worker.terminate();
    const merged = await h.merge(EMPTY);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 5]]);
    expect(values(merged, 'ml.queue.size')).toEqual([]);
  });

  it("process.* metrics come from the main thread only: a thread's copy is left out", async () => {
    const h = hub();
    await thread({ tasks: 1, processCpu: 5 });
    await waitFor('the thread to join', () => (h.size === 1 ? true : undefined));
    const merged = await h.merge(EMPTY);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 1]]);
    expect(values(merged, 'process.cpu.time')).toEqual([]);
  });

  it('a thread pushes unasked every pushMs', async () => {
    const listener = new BroadcastChannel('mltel:metrics:snapshots');
    const pushes: unknown[] = [];
    listener.onmessage = (event: unknown) => {
      const data = (event as { data: { k?: string; id?: number } }).data;
      if (data.k === 'snapshot' && data.id === undefined) pushes.push(data);
    };
    try {
      const h = hub();
      await thread({ tasks: 2, pushMs: 20 });
      await waitFor('two pushes', () => (pushes.length >= 2 ? true : undefined));
      expect(h.size).toBe(1);
    } finally {
      listener.close();
    }
  });

  it('a stopped reporter sends nothing more; a stopped hub hears nothing', async () => {
    const side = startThreadHub(200);
    const worker = await thread({ tasks: 1 });
    await waitFor('the thread to join', () => (side.hub.size === 1 ? true : undefined));
    await command(worker, 'stop');
    const started = Date.now();
    // The request is not answered: the round ends at the timeout, served from nothing.
    expect(values(await side.hub.merge(EMPTY), 'ml.tasks')).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    side.stop();
    await thread({ tasks: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(side.hub.size).toBe(1);
  });

  it('ignores messages on its channel that are not from a thread reporter', async () => {
    const h = hub();
    const stranger = new BroadcastChannel('mltel:metrics:snapshots');
    try {
      for (const data of [null, 'hello', { k: 'hello' }, { t: 5 }, { k: 'snapshot', t: 5, snapshot: { v: 2 } }]) {
        stranger.postMessage(data);
      }
      stranger.postMessage({ k: 'hello', t: 99 });
      await waitFor('the one well-formed hello', () => (h.size === 1 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(h.size).toBe(1);
    } finally {
      stranger.close();
    }
  });
});
