// This test process plays the serving primary; the other roles run in real worker threads and
// cluster workers (test/fixtures/peer.mjs) that call the built startMultiprocess.
import cluster from 'node:cluster';
import type { Worker as ClusterWorker } from 'node:cluster';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, nextMessage, peerModules, sdkProvider, values, waitFor } from '../../test/harness.js';
import { toSnapshot } from './snapshot.js';
import { startMultiprocess } from './start.js';
import type { Multiprocess } from './start.js';

const running: Multiprocess[] = [];
const threads: Worker[] = [];
const forked: ClusterWorker[] = [];

beforeAll(() => {
  cluster.setupPrimary({ exec: fixture('peer.mjs'), execArgv: [], silent: true });
});

afterEach(async () => {
  for (const side of running.splice(0)) side.stop();
  await Promise.all(threads.splice(0).map((thread) => thread.terminate()));
  for (const worker of forked.splice(0)) worker.process.kill('SIGKILL');
});

/** This process's own metrics: a real provider with a task counter and a queue gauge. */
function own(tasks: number, queue: number) {
  const { reader, provider } = sdkProvider();
  // The peers' scope: points merge per scope and instrument.
  const meter = provider.getMeter('peer');
  meter.createCounter('ml.tasks').add(tasks);
  meter.createGauge('ml.queue.size').record(queue);
  const side = startMultiprocess(() => reader.collect(), { timeoutMs: 2000, pushMs: 0 });
  running.push(side);
  return { side, collect: async () => (await reader.collect()).resourceMetrics };
}

const options = (extra: Record<string, unknown>) => ({ modules: peerModules(), via: 'start', ...extra });

describe('startMultiprocess', () => {
  it('the main thread of a plain process serves, and passes its own metrics through untouched', async () => {
    const { side, collect } = own(1, 5);
    expect([side.role, side.serves]).toEqual(['primary', true]);
    const rm = await collect();
    expect(await side.merge(rm)).toBe(rm);
    await expect(side.flush()).resolves.toBeUndefined();
  });

  it('a worker thread reports to the main thread, which merges it under its resource', async () => {
    const { side, collect } = own(1, 5);
    const thread = new Worker(fixture('peer.mjs'), { workerData: options({ tasks: 3, queue: 9 }) });
    threads.push(thread);
    expect(await nextMessage(thread, (m) => m.peer === 'ready')).toEqual({
      peer: 'ready',
      role: 'thread',
      serves: false,
    });
    const rm = await collect();
    // The thread's hello travels on a BroadcastChannel, apart from its ready message: until the
    // main thread has heard it, there is nothing to merge.
    const merged = await waitFor('the thread in the merge', async () => {
      const result = await side.merge(rm);
      return result === rm ? undefined : result;
    });
    expect(merged.resource).toBe(rm.resource);
    const snapshot = toSnapshot(merged);
    expect(values(snapshot, 'ml.tasks')).toEqual([[{}, 4]]);
    expect(values(snapshot, 'ml.queue.size')).toEqual([
      [{}, 5],
      [{ 'ml.thread.worker': '0' }, 9],
    ]);
  });

  it('a cluster worker reports to the primary and serves nothing', async () => {
    const { side, collect } = own(1, 5);
    const worker = cluster.fork({ PEER_OPTIONS: JSON.stringify(options({ tasks: 4, queue: 2 })) });
    forked.push(worker);
    expect(await nextMessage(worker, (m) => m.peer === 'ready')).toEqual({
      peer: 'ready',
      role: 'cluster-worker',
      serves: false,
    });
    const snapshot = toSnapshot(await side.merge(await collect()));
    expect(values(snapshot, 'ml.tasks')).toEqual([[{}, 5]]);
    expect(values(snapshot, 'ml.queue.size')).toEqual([
      [{}, 5],
      [{ 'ml.cluster.worker': '0' }, 2],
    ]);
  });
});
